using Prometheus;

namespace Apriel.Operator.Runtime;

/// <summary>
/// The runtime's Prometheus metrics, named as controller-runtime names them so existing dashboards work:
/// reconcile totals, errors and durations per controller; work-queue depth, adds and retries.
/// </summary>
public sealed class RuntimeMetrics : IControllerMetrics, IWorkQueueMetrics
{
    static readonly string[] ControllerLabel = ["controller"];

    readonly Counter _reconcileTotal;
    readonly Counter _reconcileErrors;
    readonly Histogram _reconcileTime;
    readonly Gauge.Child _depth;
    readonly Counter.Child _adds;
    readonly Counter.Child _retries;

    /// <summary>Registers (or finds) the metrics for <paramref name="controller"/>.</summary>
    public RuntimeMetrics(string controller, CollectorRegistry? registry = null)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry ?? Prometheus.Metrics.DefaultRegistry);
        _reconcileTotal = factory.CreateCounter("controller_runtime_reconcile_total", "Reconciles per controller and result.",
            new CounterConfiguration { LabelNames = ["controller", "result"] });
        _reconcileErrors = factory.CreateCounter("controller_runtime_reconcile_errors_total", "Reconcile errors per controller.",
            new CounterConfiguration { LabelNames = ControllerLabel });
        _reconcileTime = factory.CreateHistogram("controller_runtime_reconcile_time_seconds", "Reconcile duration per controller.",
            new HistogramConfiguration { LabelNames = ControllerLabel, Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

        _depth = factory.CreateGauge("workqueue_depth", "Keys waiting in the work queue.", new GaugeConfiguration { LabelNames = ["name"] }).WithLabels(controller);
        _adds = factory.CreateCounter("workqueue_adds_total", "Keys added to the work queue.", new CounterConfiguration { LabelNames = ["name"] }).WithLabels(controller);
        _retries = factory.CreateCounter("workqueue_retries_total", "Keys re-queued with backoff.", new CounterConfiguration { LabelNames = ["name"] }).WithLabels(controller);
    }

    /// <inheritdoc/>
    public void Reconciled(string controllerName, string result, TimeSpan duration)
    {
        _reconcileTotal.WithLabels(controllerName, result).Inc();
        if (result is "error" or "terminal_error") _reconcileErrors.WithLabels(controllerName).Inc();
        _reconcileTime.WithLabels(controllerName).Observe(duration.TotalSeconds);
    }

    /// <inheritdoc/>
    public void Added() => _adds.Inc();

    /// <inheritdoc/>
    public void Retried() => _retries.Inc();

    /// <inheritdoc/>
    public void DepthChanged(int depth) => _depth.Set(depth);
}
