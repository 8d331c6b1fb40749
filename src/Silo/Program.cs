using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Hosting;

// The standalone silo: the same silo configuration the embedded WebFrontend co-hosts.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.AddCaseGrains(builder.Configuration));
await builder.Build().RunAsync();
