namespace OpsConsole.Web;

/// <summary>
/// A chart's y axis: a round step (1, 2 or 5 times a power of ten) giving about four lines up to the largest value.
/// MudBlazor's step is a whole number, so values below 1 (dollars, fractions) are drawn multiplied by
/// <see cref="Factor"/> and labelled divided by it.
/// </summary>
public readonly record struct ChartAxis(double Factor, int Step)
{
    public static ChartAxis For(double max, int lines = 4)
    {
        var step = RoundStep(max, lines);
        return step >= 1 ? new ChartAxis(1, (int)step) : new ChartAxis(Math.Round(1 / step), 1);
    }

    /// <summary>The round step itself, in the data's units.</summary>
    public static double RoundStep(double max, int lines = 4)
    {
        if (!double.IsFinite(max) || max <= 0)
        {
            return 1;
        }
        var raw = max / lines;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    public double Scale(double value) => value * Factor;

    public double? Scale(double? value) => value * Factor;

    public double Unscale(double value) => value / Factor;
}
