using System.Buffers;
using System.Globalization;
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
    // Microsoft.Data.Sqlite's text form of DateTime and DateTimeOffset, which EF Core reads back.
    private const string DateTimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";
    private const string DateTimeOffsetFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds <paramref name="values"/> to the parameters 1…n in order, runs the statement and returns the rows it changed.</summary>
    public int Execute(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            Bind(i + 1, values[i]);
        }
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
        return raw.sqlite3_changes(_db);
    }

    /// <summary>The rowid of the last row this connection inserted.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    public void Dispose() => _statement.Dispose();

    private void Bind(int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(_statement, index),
            string s => BindText(index, s),
            long l => raw.sqlite3_bind_int64(_statement, index, l),
            int n => raw.sqlite3_bind_int64(_statement, index, n),
            bool b => raw.sqlite3_bind_int64(_statement, index, b ? 1 : 0),
            double d => raw.sqlite3_bind_double(_statement, index, d),
            DateTime t => BindDateTime(index, t),
            DateTimeOffset t => BindFormatted(index, t, DateTimeOffsetFormat),
            _ => throw new NotSupportedException($"A bulk row cannot hold a {value.GetType().Name}."),
        };
        Check(rc);
    }

    /// <summary>
    /// <see cref="DateTimeFormat"/> written straight as UTF-8 (a bulk row has several timestamps, and the general
    /// formatter costs several times this): fraction digits only as far as the last non-zero one, none at all (and no
    /// point) for a whole second.
    /// </summary>
    private int BindDateTime(int index, DateTime value)
    {
        Span<byte> text = stackalloc byte[27];
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
        return raw.sqlite3_bind_text(_statement, index, text[..length]);
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    private int BindFormatted<T>(int index, T value, string format) where T : ISpanFormattable
    {
        Span<char> text = stackalloc char[40];
        if (!value.TryFormat(text, out var length, format, CultureInfo.InvariantCulture))
        {
            throw new FormatException($"{value} does not fit the storage format.");
        }
        return BindText(index, text[..length]);
    }

    private int BindText(int index, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            // SQLite binds a null pointer as NULL, and an empty span may carry one: an empty string must stay ''.
            return raw.sqlite3_bind_text(_statement, index, "");
        }
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 512)
        {
            Span<byte> utf8 = stackalloc byte[max];
            // SQLitePCL binds spans as SQLITE_TRANSIENT: SQLite copies the bytes before this returns.
            return raw.sqlite3_bind_text(_statement, index, utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
        }
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            return raw.sqlite3_bind_text(_statement, index, rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
