using Microsoft.Extensions.Options;
using OpsConsole.Server.Configuration;

namespace OpsConsole.Server.Costs;

/// <summary>
/// The price table and the pod shape a run is priced as (<c>Costs</c> section). Defaults are AWS's public prices for
/// us-east-1 (README, Costs, has each one's source and date); a deployment sets its own (negotiated rates, another region).
/// </summary>
public sealed class CostOptions
{
    /// <summary>These prices at another capacity (a run that asked for spot or on-demand).</summary>
    public CostOptions WithCapacity(string capacity)
    {
        var copy = (CostOptions)MemberwiseClone();
        copy.Capacity = capacity;
        return copy;
    }

    public const string Section = "Costs";

    /// <summary>"on-demand" or "spot": the prices a run's compute and memory are charged at (the other is shown beside it).</summary>
    public string Capacity { get; set; } = "on-demand";

    /// <summary>The pod a run stands for (the local runner's process, the EKS driver pod): requested vCPUs and memory.</summary>
    public double PodCpu { get; set; } = 2;

    public double PodMemoryGiB { get; set; } = 4;

    public double CpuPerCoreHour { get; set; } = 0.031611;

    public double SpotCpuPerCoreHour { get; set; } = 0.006655;

    public double MemoryPerGiBHour { get; set; } = 0.004237;

    public double SpotMemoryPerGiBHour { get; set; } = 0.000892;

    /// <summary>The EKS cluster's control plane, shared by the runs active at the same time.</summary>
    public double ControlPlanePerHour { get; set; } = 0.10;

    public double StoragePerGiBMonth { get; set; } = 0.023;

    public double S3PutPerThousand { get; set; } = 0.005;

    public double S3GetPerThousand { get; set; } = 0.0004;

    public double DynamoWritePerMillion { get; set; } = 0.625;

    public double DynamoReadPerMillion { get; set; } = 0.125;

    public double GlueDpuHour { get; set; } = 0.44;

    public double GlueMinimumDpus { get; set; } = 2;

    public double GlueMinimumSeconds { get; set; } = 60;

    /// <summary>A Glue G.1X DPU: 4 vCPUs and 16 GB.</summary>
    public double GlueCoresPerDpu { get; set; } = 4;

    /// <summary>The monthly budget in USD; unset: no budget.</summary>
    public double? MonthlyBudget { get; set; }

    /// <summary>The share of the budget at which the console notifies (and again when the forecast or the month passes it).</summary>
    public double BudgetAlertFraction { get; set; } = 0.8;
}

internal sealed class CostOptionsValidator : IValidateOptions<CostOptions>
{
    public ValidateOptionsResult Validate(string? name, CostOptions options)
    {
        var errors = new OptionsErrors(CostOptions.Section);
        errors.Require(options.Capacity is "on-demand" or "spot", nameof(CostOptions.Capacity), $"must be on-demand or spot (got '{options.Capacity}').");
        errors.Range(options.PodCpu, nameof(CostOptions.PodCpu), 0.1, 512);
        errors.Range(options.PodMemoryGiB, nameof(CostOptions.PodMemoryGiB), 0.1, 4096);
        foreach (var (value, key) in new[]
        {
            (options.CpuPerCoreHour, nameof(CostOptions.CpuPerCoreHour)), (options.SpotCpuPerCoreHour, nameof(CostOptions.SpotCpuPerCoreHour)),
            (options.MemoryPerGiBHour, nameof(CostOptions.MemoryPerGiBHour)), (options.SpotMemoryPerGiBHour, nameof(CostOptions.SpotMemoryPerGiBHour)),
            (options.ControlPlanePerHour, nameof(CostOptions.ControlPlanePerHour)), (options.StoragePerGiBMonth, nameof(CostOptions.StoragePerGiBMonth)),
            (options.S3PutPerThousand, nameof(CostOptions.S3PutPerThousand)), (options.S3GetPerThousand, nameof(CostOptions.S3GetPerThousand)),
            (options.DynamoWritePerMillion, nameof(CostOptions.DynamoWritePerMillion)), (options.DynamoReadPerMillion, nameof(CostOptions.DynamoReadPerMillion)),
            (options.GlueDpuHour, nameof(CostOptions.GlueDpuHour)), (options.GlueMinimumDpus, nameof(CostOptions.GlueMinimumDpus)),
            (options.GlueMinimumSeconds, nameof(CostOptions.GlueMinimumSeconds)),
        })
        {
            errors.Range(value, key, 0, 1_000_000);
        }
        errors.Range(options.GlueCoresPerDpu, nameof(CostOptions.GlueCoresPerDpu), 1, 1024);
        if (options.MonthlyBudget is { } budget)
        {
            errors.Range(budget, nameof(CostOptions.MonthlyBudget), 0.000001, 1_000_000_000);
        }
        errors.Range(options.BudgetAlertFraction, nameof(CostOptions.BudgetAlertFraction), 0.01, 1);
        return errors.ToResult();
    }
}
