using Touchpoint.Server.Platform;

var builder = WebApplication.CreateBuilder(args);
builder.AddTouchpointServer();

var app = builder.Build();
app.UseTouchpointServer();
await app.PrepareAsync();
await app.RunAsync();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
