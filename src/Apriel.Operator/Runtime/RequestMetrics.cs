using Prometheus;

namespace Apriel.Operator.Runtime;

/// <summary>
/// Counts every request the operator sends to the API server, as controller-runtime's
/// <c>rest_client_requests_total{method, code}</c> does: the figure behind "API requests per reconcile".
/// </summary>
public sealed class RequestMetrics(CollectorRegistry? registry = null) : DelegatingHandler
{
    readonly Counter _requests = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry)
        .CreateCounter("rest_client_requests_total", "API server requests by HTTP method and status code.",
            new CounterConfiguration { LabelNames = ["method", "code"] });

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            _requests.WithLabels(request.Method.Method, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
            return response;
        }
        catch (HttpRequestException)
        {
            _requests.WithLabels(request.Method.Method, "error").Inc();
            throw;
        }
    }
}
