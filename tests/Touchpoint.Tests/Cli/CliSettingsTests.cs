using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Touchpoint.Cli;

namespace Touchpoint.Tests.Cli;

public sealed class CliSettingsTests
{
    [Theory]
    [InlineData("Interactions:SlaSeconds:Twitter", "600", "'Twitter' is not a channel")]
    [InlineData("Interactions:RepeatWindowDays", "0", "RepeatWindowDays must be between 1 and 3650")]
    [InlineData("Customers:PhoneRegion", "XX", "PhoneRegion must be a two-letter region code")]
    public async Task BadSetting_StopsTheCommandBeforeItsWork_WithOneLineNamingIt(string key, string value, string said)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "touchpoint-cli-settings-never-opened.db")}",
            [key] = value,
        }).Build();
        var ran = false;
        var command = new RootCommand();
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, configuration, ct, (_, _) =>
        {
            ran = true;
            return Task.FromResult(0);
        }));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await command.Parse([]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.False(ran);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(said, line, StringComparison.Ordinal);
    }
}
