namespace OpsConsole.Sandbox.Data;

/// <summary>The id generators of every object kind, keyed by the seed.</summary>
public sealed class SandboxIds(ulong seed)
{
    public ObjectIds Charge { get; } = new("ch_", seed, 1);

    public ObjectIds Customer { get; } = new("cus_", seed, 2);

    public ObjectIds Refund { get; } = new("re_", seed, 3);

    public ObjectIds Event { get; } = new("evt_", seed, 4);

    public ObjectIds PaymentIntent { get; } = new("pi_", seed, 5);

    public ObjectIds ChargeTransaction { get; } = new("txn_", seed, 6);

    public ObjectIds RefundTransaction { get; } = new("txn_", seed, 8);

    public ObjectIds PaymentMethod { get; } = new("pm_", seed, 9);
}
