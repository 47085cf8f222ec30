[assembly: AssemblyFixture(typeof(Touchpoint.Tests.Infrastructure.PostgresServer))]
