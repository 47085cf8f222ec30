using Touchpoint;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddTouchpoint(builder.Configuration);

var app = builder.Build();
app.MapGet("/health", () => Results.Ok("ok"));
app.Run();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
