using OpsConsole.Sandbox.Hosting;

namespace OpsConsole.Sandbox.Data;

/// <summary>
/// The Sandbox's data: charges, customers, refunds and events in created order, generated deterministically from
/// the seed, then kept moving: every second of the clock brings its arrivals and updates (each second's draws
/// depend only on the seed and the second, so catching up late gives the same objects). One lock guards it;
/// readers copy the rows they render and serialize outside the lock.
/// </summary>
public sealed class SandboxWorld
{
    public const long EventRetentionSeconds = 30L * 24 * 3600;

    private const ulong ChargeKind = 1, CustomerKind = 2, RefundKind = 3, EventKind = 4, SecondKind = 7;

    private readonly Lock _gate = new();
    private readonly SandboxOptions _options;
    private readonly SplitMix _rng = new(0);
    private long _caughtUpTo;

    public SandboxWorld(SandboxOptions options, SandboxClock clock)
    {
        _options = options;
        Clock = clock;
        Ids = new SandboxIds(options.Seed);
        Charges = new RowList<ChargeRow>(r => r.Created, options.Charges + 1024);
        Customers = new RowList<CustomerRow>(r => r.Created, options.EffectiveCustomers + 1024);
        Refunds = new RowList<RefundRow>(r => r.Created, (options.Charges / 10) + 1024);
        Events = new RowList<EventRow>(r => r.Created, 1024);
        GenerateInitial(clock.UnixNow);
    }

    public SandboxClock Clock { get; }

    public SandboxIds Ids { get; }

    internal RowList<ChargeRow> Charges { get; }

    internal RowList<CustomerRow> Customers { get; }

    internal RowList<RefundRow> Refunds { get; }

    internal RowList<EventRow> Events { get; }

    /// <summary>Runs <paramref name="read"/> under the lock after bringing the data up to the clock's now.</summary>
    public T Read<T>(Func<SandboxWorld, long, T> read)
    {
        lock (_gate)
        {
            // Read under the lock and never behind what was generated, so rows stay in created order.
            var now = Math.Max(Clock.UnixNow, _caughtUpTo);
            CatchUp(now);
            return read(this, now);
        }
    }

    /// <summary>Object counts and the bytes their rows hold.</summary>
    public (int Charges, int Customers, int Refunds, int Events, long Bytes) Size() => Read((w, _) =>
        (w.Charges.Count, w.Customers.Count, w.Refunds.Count, w.Events.Count,
         w.Charges.CapacityBytes + w.Customers.CapacityBytes + w.Refunds.CapacityBytes + w.Events.CapacityBytes));

    /// <summary>Adds charges created now (admin). Returns their indices.</summary>
    public (int First, int Count) AddCharges(int count) => Read((w, now) =>
    {
        var first = w.Charges.Count;
        for (var i = 0; i < count; i++)
        {
            w.AddCharge(now, w.Customers.Count);
        }
        return (first, count);
    });

    /// <summary>Refunds a charge now (admin): the remaining amount, or <paramref name="amount"/>. False when it cannot be refunded.</summary>
    public bool Refund(int charge, int? amount) => Read((w, now) => w.ApplyRefund(now, charge, amount));

    /// <summary>A pending charge succeeds now (admin), with a charge.succeeded event. False when it is not pending.</summary>
    public bool Succeed(int charge) => Read((w, now) =>
    {
        if (charge < 0 || charge >= w.Charges.Count || w.Charges[charge].Status != ChargeStatus.Pending)
        {
            return false;
        }
        w.SucceedPending(now, charge);
        return true;
    });

    /// <summary>Changes a charge's metadata now (admin), with a charge.updated event.</summary>
    public void UpdateCharge(int charge) => Read((w, now) =>
    {
        w.ApplyChargeUpdate(now, charge);
        return true;
    });

    /// <summary>Changes a customer's email now (admin), with a customer.updated event.</summary>
    public void UpdateCustomer(int customer) => Read((w, now) =>
    {
        w.ApplyCustomerUpdate(now, customer);
        return true;
    });

    private void GenerateInitial(long end)
    {
        var spanStart = end - (_options.Days * 86_400L);
        var rng = new SplitMix(SplitMix.Hash(_options.Seed, 0xC0FFEE));

        var customerTimes = SortedUniform(rng, _options.EffectiveCustomers, spanStart - EventRetentionSeconds, end);
        foreach (var created in customerTimes)
        {
            Customers.Add(new CustomerRow { Created = created, Currency = (byte)rng.Pick(Catalog.CurrencyWeights) });
        }

        var refunds = new List<RefundRow>();
        foreach (var created in SortedUniform(rng, _options.Charges, spanStart, end))
        {
            var index = AddChargeRow(created, Customers.FirstAtOrAfter(created + 1));
            ref var charge = ref Charges[index];
            if (charge.Status == ChargeStatus.Succeeded && charge.Captured && rng.Chance(0.08))
            {
                var refundAt = created + (long)(-Math.Log(1 - rng.NextDouble()) * 3 * 86_400);
                if (refundAt < end)
                {
                    var amount = rng.Chance(0.6) ? charge.Amount : Math.Max(1, (int)(charge.Amount * rng.NextDouble()));
                    charge.AmountRefunded = amount;
                    charge.Version++;
                    refunds.Add(new RefundRow { Created = refundAt, Charge = index, Amount = amount, Reason = (RefundReason)rng.Next(4) });
                }
            }
        }

        refunds.Sort((a, b) => a.Created != b.Created ? a.Created.CompareTo(b.Created) : a.Charge.CompareTo(b.Charge));
        foreach (var refund in refunds)
        {
            Refunds.Add(refund);
        }

        // Events exist for the last 30 days only (Stripe's retention).
        var cutoff = end - EventRetentionSeconds;
        var events = new List<EventRow>();
        for (var i = Customers.FirstAtOrAfter(cutoff); i < Customers.Count; i++)
        {
            events.Add(new EventRow { Created = Customers[i].Created, Target = i, Type = EventType.CustomerCreated });
        }
        for (var i = Charges.FirstAtOrAfter(cutoff); i < Charges.Count; i++)
        {
            events.Add(ChargeEvent(Charges[i].Created, i, CreationEvent(Charges[i].Status), Charges[i], amountRefunded: 0));
        }
        for (var i = Refunds.FirstAtOrAfter(cutoff); i < Refunds.Count; i++)
        {
            var refund = Refunds[i];
            events.Add(ChargeEvent(refund.Created, refund.Charge, EventType.ChargeRefunded, Charges[refund.Charge], refund.Amount) with
            {
                PreviousAmountRefunded = 0,
            });
            events.Add(new EventRow { Created = refund.Created, Target = i, Type = EventType.RefundCreated });
        }
        events.Sort((a, b) => a.Created != b.Created ? a.Created.CompareTo(b.Created) : a.Type.CompareTo(b.Type));
        foreach (var e in events)
        {
            Events.Add(e);
        }

        _caughtUpTo = end - 1;
    }

    /// <summary>Generates every second after the last one caught up, through <paramref name="now"/>.</summary>
    private void CatchUp(long now)
    {
        while (_caughtUpTo < now)
        {
            var second = ++_caughtUpTo;
            if (_options.ArrivalsPerSecond <= 0 && _options.UpdatesPerSecond <= 0)
            {
                _caughtUpTo = now;
                return;
            }

            var rng = new SplitMix(SplitMix.Hash(_options.Seed, SecondKind, (ulong)second));
            var newCustomers = rng.Poisson(_options.ArrivalsPerSecond / 10);
            for (var i = 0; i < newCustomers; i++)
            {
                AddCustomer(second);
            }
            var arrivals = rng.Poisson(_options.ArrivalsPerSecond);
            for (var i = 0; i < arrivals; i++)
            {
                AddCharge(second, Customers.Count);
            }

            var updates = rng.Poisson(_options.UpdatesPerSecond);
            for (var i = 0; i < updates && Charges.Count > 0; i++)
            {
                switch (rng.Pick([0.5, 0.8, 1.0]))
                {
                    case 0:
                        var charge = rng.Next(Charges.Count);
                        if (Charges[charge].Status == ChargeStatus.Pending)
                        {
                            SucceedPending(second, charge);
                        }
                        else
                        {
                            ApplyRefund(second, charge, rng.Chance(0.6) ? null : 1 + rng.Next(Math.Max(1, Charges[charge].Amount / 2)));
                        }
                        break;
                    case 1:
                        ApplyChargeUpdate(second, rng.Next(Charges.Count));
                        break;
                    default:
                        ApplyCustomerUpdate(second, rng.Next(Customers.Count));
                        break;
                }
            }
        }
    }

    private void AddCustomer(long created)
    {
        var index = Customers.Count;
        var rng = ObjectRandom(CustomerKind, index);
        Customers.Add(new CustomerRow { Created = created, Currency = (byte)rng.Pick(Catalog.CurrencyWeights) });
        Events.Add(new EventRow { Created = created, Target = index, Type = EventType.CustomerCreated });
    }

    private void AddCharge(long created, int customersSoFar)
    {
        var index = AddChargeRow(created, customersSoFar);
        Events.Add(ChargeEvent(created, index, CreationEvent(Charges[index].Status), Charges[index], amountRefunded: 0));
    }

    /// <summary>A charge whose attributes depend only on the seed and its index.</summary>
    private int AddChargeRow(long created, int customersSoFar)
    {
        var index = Charges.Count;
        var rng = ObjectRandom(ChargeKind, index);
        var currency = rng.Pick(Catalog.CurrencyWeights);
        var amount = (int)Math.Clamp(Math.Exp(Math.Log(2500) + (1.1 * rng.NextGaussian())), 50, 5_000_000);
        if (Catalog.ZeroDecimal[currency])
        {
            amount = Math.Max(50, amount / 100 * 150 / 100);
        }
        var status = (ChargeStatus)rng.Pick(Catalog.StatusWeights);
        var customer = -1;
        if (customersSoFar > 0 && rng.Chance(0.85))
        {
            // Skewed towards early customers: a few customers have many charges, as in real accounts.
            customer = Math.Min(customersSoFar - 1, (int)(customersSoFar * Math.Pow(rng.NextDouble(), 2.5)));
        }
        Charges.Add(new ChargeRow
        {
            Created = created,
            Amount = amount,
            Currency = (byte)currency,
            Status = status,
            Captured = status == ChargeStatus.Succeeded && rng.Chance(0.97),
            FailureCode = status == ChargeStatus.Failed ? (byte)(1 + rng.Next(Catalog.FailureCodes.Length - 1)) : (byte)0,
            Description = (ushort)rng.Next(Catalog.Descriptions.Length),
            Customer = customer,
        });
        return index;
    }

    private bool ApplyRefund(long now, int index, int? amount)
    {
        if (index < 0 || index >= Charges.Count)
        {
            return false;
        }
        ref var charge = ref Charges[index];
        var remaining = charge.Amount - charge.AmountRefunded;
        if (charge.Status != ChargeStatus.Succeeded || !charge.Captured || remaining <= 0)
        {
            return false;
        }
        var refunded = Math.Clamp(amount ?? remaining, 1, remaining);
        var previous = charge.AmountRefunded;
        charge.AmountRefunded += refunded;
        charge.Version++;
        Refunds.Add(new RefundRow { Created = now, Charge = index, Amount = refunded, Reason = RefundReason.RequestedByCustomer });
        Events.Add(ChargeEvent(now, index, EventType.ChargeRefunded, charge, charge.AmountRefunded) with { PreviousAmountRefunded = previous });
        Events.Add(new EventRow { Created = now, Target = Refunds.Count - 1, Type = EventType.RefundCreated });
        return true;
    }

    private void SucceedPending(long now, int index)
    {
        ref var charge = ref Charges[index];
        charge.Status = ChargeStatus.Succeeded;
        charge.Captured = true;
        charge.Version++;
        Events.Add(ChargeEvent(now, index, EventType.ChargeSucceeded, charge, charge.AmountRefunded));
    }

    private void ApplyChargeUpdate(long now, int index)
    {
        ref var charge = ref Charges[index];
        charge.MetadataVersion++;
        charge.Version++;
        Events.Add(ChargeEvent(now, index, EventType.ChargeUpdated, charge, charge.AmountRefunded) with
        {
            PreviousAmountRefunded = charge.AmountRefunded,
            PreviousVersion = charge.MetadataVersion - 1,
        });
    }

    private void ApplyCustomerUpdate(long now, int index)
    {
        ref var customer = ref Customers[index];
        customer.EmailVersion++;
        customer.Version++;
        Events.Add(new EventRow
        {
            Created = now, Target = index, Type = EventType.CustomerUpdated,
            Version = customer.EmailVersion, PreviousVersion = customer.EmailVersion - 1,
        });
    }

    /// <summary>A charge event with the charge's state right after the change.</summary>
    private static EventRow ChargeEvent(long created, int index, EventType type, in ChargeRow charge, int amountRefunded) => new()
    {
        Created = created,
        Target = index,
        Type = type,
        AmountRefunded = amountRefunded,
        Version = charge.MetadataVersion,
        PreviousVersion = charge.MetadataVersion,
        Status = charge.Status,
        Captured = charge.Captured,
    };

    private SplitMix ObjectRandom(ulong kind, int index) => new(SplitMix.Hash(_options.Seed, kind, (ulong)index));

    private static EventType CreationEvent(ChargeStatus status) => status switch
    {
        ChargeStatus.Succeeded => EventType.ChargeSucceeded,
        ChargeStatus.Pending => EventType.ChargePending,
        _ => EventType.ChargeFailed,
    };

    private static long[] SortedUniform(SplitMix rng, int count, long from, long to)
    {
        var times = new long[count];
        var span = Math.Max(1, to - from);
        for (var i = 0; i < count; i++)
        {
            times[i] = from + (long)(rng.NextDouble() * span);
        }
        Array.Sort(times);
        return times;
    }
}
