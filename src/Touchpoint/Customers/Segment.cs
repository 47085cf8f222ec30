namespace Touchpoint.Customers;

public enum SegmentKind
{
    Segment,
    Persona,
}

/// <summary>A saved dynamic rule over customer attributes and behaviour, e.g. <c>plan = "premium" and tenure_days &lt; 90</c>.</summary>
public sealed class Segment
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public SegmentKind Kind { get; set; }
    public required string Rule { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
}
