using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Touchpoint.Storage.Bulk;

/// <summary>
/// One prepared statement driven through SQLite's C API on a Microsoft.Data.Sqlite connection (so inside its
/// transaction). Bulk rows bind their values straight from the row: a <see cref="SqliteCommand"/> would go through
/// a <see cref="SqliteParameter"/> per value on every execution, which costs about as much as SQLite's own insert.
/// Values are stored exactly as Microsoft.Data.Sqlite (and so EF Core) stores them.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    // Microsoft.Data.Sqlite's text form of DateTimeOffset, which EF Core reads back (DateTime: see BindDateTime).
    private const string DateTimeOffsetFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _dbHandle;
    private readonly IntPtr _handle;

    // A row's text values, as UTF-8, one after another: bound in place (SQLITE_STATIC), so SQLite neither allocates nor
    // copies them. Pinned while the statement lives; its contents change only between executions.
    private byte[] _text = [];
    private GCHandle _pinned;
    private IntPtr _textAddress;
    private int _textUsed;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _dbHandle = _db.DangerousGetHandle();
        _handle = _statement.DangerousGetHandle();
        Grow(4096);
    }

    /// <summary>Binds <paramref name="values"/> to the parameters 1…n in order, runs the statement and returns the rows it changed.</summary>
    public int Execute(object?[] values)
    {
        while (!TryBind(values))
        {
            // The row's text did not fit: a larger buffer, and every value bound again (earlier ones point into the old one).
            Grow(_text.Length * 2);
        }
        var rc = Native.sqlite3_step(_handle);
        Native.sqlite3_reset(_handle);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
        return Native.sqlite3_changes(_dbHandle);
    }

    /// <summary>The rowid of the last row this connection inserted.</summary>
    public long LastInsertRowId => Native.sqlite3_last_insert_rowid(_dbHandle);

    public void Dispose()
    {
        _statement.Dispose();
        if (_pinned.IsAllocated)
        {
            _pinned.Free();
        }
    }

    private void Grow(int size)
    {
        if (_pinned.IsAllocated)
        {
            _pinned.Free();
        }
        _text = new byte[size];
        _pinned = GCHandle.Alloc(_text, GCHandleType.Pinned);
        _textAddress = _pinned.AddrOfPinnedObject();
    }

    private bool TryBind(object?[] values)
    {
        _textUsed = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var index = i + 1;
            var rc = values[i] switch
            {
                null => Native.sqlite3_bind_null(_handle, index),
                string s => BindText(index, s),
                long l => Native.sqlite3_bind_int64(_handle, index, l),
                int n => Native.sqlite3_bind_int64(_handle, index, n),
                bool b => Native.sqlite3_bind_int64(_handle, index, b ? 1 : 0),
                double d => Native.sqlite3_bind_double(_handle, index, d),
                DateTime t => BindDateTime(index, t),
                DateTimeOffset t => BindText(index, t.ToString(DateTimeOffsetFormat, CultureInfo.InvariantCulture)),
                { } other => throw new NotSupportedException($"A bulk row cannot hold a {other.GetType().Name}."),
            };
            if (rc == NoRoom)
            {
                return false;
            }
            Check(rc);
        }
        return true;
    }

    private const int NoRoom = -1;

    private int BindText(int index, string text)
    {
        var free = _text.AsSpan(_textUsed);
        if (free.Length < text.Length * 3 && free.Length < Encoding.UTF8.GetByteCount(text))
        {
            return NoRoom;
        }
        var length = Encoding.UTF8.GetBytes(text, free);
        return BindUtf8(index, length);
    }

    /// <summary>The <paramref name="length"/> bytes just written at the buffer's free end, bound in place.</summary>
    private int BindUtf8(int index, int length)
    {
        // Never a null pointer (SQLite would bind NULL): an empty string stays ''.
        var rc = Native.sqlite3_bind_text(_handle, index, _textAddress + _textUsed, length, Static);
        _textUsed += length;
        return rc;
    }

    /// <summary>
    /// Microsoft.Data.Sqlite's text form of DateTime (yyyy-MM-dd HH:mm:ss.FFFFFFF, which EF Core reads back), written
    /// straight as UTF-8 (a bulk row has several timestamps, and the general formatter costs several times this):
    /// fraction digits only as far as the last non-zero one, none at all (and no point) for a whole second.
    /// </summary>
    private int BindDateTime(int index, DateTime value)
    {
        if (_text.Length - _textUsed < 27)
        {
            return NoRoom;
        }
        var text = _text.AsSpan(_textUsed, 27);
        Digits(text[..4], value.Year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), value.Month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), value.Day);
        text[10] = (byte)' ';
        Digits(text.Slice(11, 2), value.Hour);
        text[13] = (byte)':';
        Digits(text.Slice(14, 2), value.Minute);
        text[16] = (byte)':';
        Digits(text.Slice(17, 2), value.Second);
        var length = 19;
        var fraction = (int)(value.Ticks % TimeSpan.TicksPerSecond);
        if (fraction != 0)
        {
            text[19] = (byte)'.';
            Digits(text.Slice(20, 7), fraction);
            length = 27;
            while (text[length - 1] == (byte)'0')
            {
                length--;
            }
        }
        return BindUtf8(index, length);
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    /// <summary>SQLITE_STATIC: the bound bytes stay put until the next bind or reset, so SQLite need not copy them.</summary>
    private static readonly IntPtr Static = IntPtr.Zero;

    /// <summary>
    /// The few calls a bulk row makes, straight into the e_sqlite3 library that SQLitePCLRaw loaded (the same name, so
    /// the same library), on raw handles: SQLitePCLRaw's calls go through its provider and a SafeHandle per call,
    /// which cost more than binding an integer. The binds and counters neither block nor call back, so they skip
    /// the GC transition; sqlite3_step and sqlite3_reset do real work (and I/O) and keep it.
    /// </summary>
    private static class Native
    {
        private const string Library = "e_sqlite3";

        [DllImport(Library, ExactSpelling = true), SuppressGCTransition]
        public static extern int sqlite3_bind_null(IntPtr statement, int index);

        [DllImport(Library, ExactSpelling = true), SuppressGCTransition]
        public static extern int sqlite3_bind_int64(IntPtr statement, int index, long value);

        [DllImport(Library, ExactSpelling = true), SuppressGCTransition]
        public static extern int sqlite3_bind_double(IntPtr statement, int index, double value);

        [DllImport(Library, ExactSpelling = true), SuppressGCTransition]
        public static extern int sqlite3_bind_text(IntPtr statement, int index, IntPtr utf8, int length, IntPtr destructor);

        [DllImport(Library, ExactSpelling = true)]
        public static extern int sqlite3_step(IntPtr statement);

        // Resetting after a failed step may roll back the statement's changes: not one to run without the transition.
        [DllImport(Library, ExactSpelling = true)]
        public static extern int sqlite3_reset(IntPtr statement);

        [DllImport(Library, ExactSpelling = true), SuppressGCTransition]
        public static extern int sqlite3_changes(IntPtr db);

        [DllImport(Library, ExactSpelling = true), SuppressGCTransition]
        public static extern long sqlite3_last_insert_rowid(IntPtr db);
    }
}
