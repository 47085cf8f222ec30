using Touchpoint.Bench;

// A console harness rather than BenchmarkDotNet: each measurement is one large run (a million rows),
// timed once per engine, with the plain engine's own rate measured in the same process for the ratio.
var mode = args.FirstOrDefault() ?? "help";
switch (mode)
{
    case "demo":
        await DemoBench.RunAsync(args.Skip(1).ToArray());
        break;
    case "import":
        await ImportBench.RunAsync(args.Skip(1).ToArray());
        break;
    case "context":
        await ContextBench.RunAsync(args.Skip(1).ToArray());
        break;
    case "lists":
        await ListBench.RunAsync(args.Skip(1).ToArray());
        break;
    case "reports":
        await ListBench.RunReportsAsync(args.Skip(1).ToArray());
        break;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project bench/Touchpoint.Bench -- demo|import|context|lists|reports [options]");
        break;
}
