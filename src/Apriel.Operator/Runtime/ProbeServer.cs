using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Apriel.Operator.Runtime;

/// <summary>
/// The operator's HTTP endpoints: <c>/healthz</c> (the process serves), <c>/readyz</c> (caches synced) and
/// Prometheus <c>/metrics</c>. Plain HTTP on one port, for kubelet probes and scrapers.
/// </summary>
public static class ProbeServer
{
    /// <summary>Builds (does not start) the server on <paramref name="address"/>, e.g. <c>http://0.0.0.0:8080</c>.</summary>
    public static WebApplication Build(string address, Func<bool> ready, CollectorRegistry? registry = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(address);
        builder.Logging.ClearProviders(); // the operator logs through Serilog; request logs would be noise
        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", () => ready() ? Results.Text("ok") : Results.Text("caches not synced", statusCode: 503));
        app.MapMetrics("/metrics", registry);
        return app;
    }
}
