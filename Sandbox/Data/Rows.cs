namespace OpsConsole.Sandbox.Data;

/// <summary>Charge status, as Stripe spells it.</summary>
public enum ChargeStatus : byte
{
    Succeeded,
    Pending,
    Failed,
}

/// <summary>One charge: 32 bytes; everything else in its JSON is derived from its index and the seed.</summary>
public struct ChargeRow
{
    public long Created;
    public int Amount;
    public int AmountRefunded;
    /// <summary>Index of the customer, or -1.</summary>
    public int Customer;
    /// <summary>How many times the charge was updated (metadata changes).</summary>
    public int MetadataVersion;
    public ChargeStatus Status;
    public byte Currency;
    public bool Captured;
    public byte FailureCode;
    public ushort Description;
    /// <summary>Number of changes of any kind (refunds and updates): the object's version.</summary>
    public ushort Version;
}

/// <summary>One customer; name and email derive from its index and <see cref="EmailVersion"/>.</summary>
public struct CustomerRow
{
    public long Created;
    public int EmailVersion;
    public ushort Version;
    public byte Currency;
}

/// <summary>Refund reason, as Stripe spells it (null when none).</summary>
public enum RefundReason : byte
{
    None,
    RequestedByCustomer,
    Duplicate,
    Fraudulent,
}

public struct RefundRow
{
    public long Created;
    public int Charge;
    public int Amount;
    public RefundReason Reason;
}

/// <summary>Event types the Sandbox emits.</summary>
public enum EventType : byte
{
    ChargeSucceeded,
    ChargePending,
    ChargeFailed,
    ChargeRefunded,
    ChargeUpdated,
    CustomerCreated,
    CustomerUpdated,
    RefundCreated,
}

/// <summary>
/// One event with the snapshot its payload needs: the object as it was right after the change and the previous
/// values of what changed.
/// </summary>
public struct EventRow
{
    public long Created;
    public int Target;
    public int AmountRefunded;
    public int PreviousAmountRefunded;
    public int Version;
    public int PreviousVersion;
    public EventType Type;
    /// <summary>The charge's status right after the change (charge events).</summary>
    public ChargeStatus Status;
    /// <summary>Whether the charge was captured right after the change (charge events).</summary>
    public bool Captured;
}
