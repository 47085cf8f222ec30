namespace Touchpoint.Metrics;

/// <summary>
/// A share with its 95 % confidence interval (Wilson score interval: unlike the normal approximation it stays inside
/// 0–1 and is honest for small samples and shares near 0 or 1). <see cref="IsSmallSample"/> flags samples too small to
/// read much into.
/// </summary>
public readonly record struct Proportion(long Successes, long Trials)
{
    /// <summary>Below this many observations a figure is shown with a warning, not hidden.</summary>
    public const int SmallSample = 30;

    private const double Z95 = 1.959963984540054;

    public double? Share => Trials == 0 ? null : (double)Successes / Trials;

    public bool IsSmallSample => Trials < SmallSample;

    public (double Low, double High)? Interval95
    {
        get
        {
            if (Trials == 0)
            {
                return null;
            }
            double n = Trials, p = (double)Successes / Trials, z2 = Z95 * Z95;
            var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
            var half = Z95 * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
            return (Math.Max(0, centre - half), Math.Min(1, centre + half));
        }
    }

    /// <summary>
    /// Half the interval's width, the "±" printed next to a share. The Wilson interval is not centred on the share near 0 or 1
    /// (0 of 10: 0–27.8 %); use <see cref="Interval95"/> where the bounds themselves matter.
    /// </summary>
    public double? MarginOfError95 => Interval95 is { } i ? (i.High - i.Low) / 2 : null;
}
