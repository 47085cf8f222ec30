using System.CommandLine;

var root = new RootCommand("Touchpoint: customer experience management for contact centers.");
return await root.Parse(args).InvokeAsync();
