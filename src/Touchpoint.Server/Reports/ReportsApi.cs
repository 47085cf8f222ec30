using Microsoft.AspNetCore.Http.HttpResults;
using Touchpoint.Interactions;
using Touchpoint.Metrics;
using Touchpoint.Server.Interactions;

namespace Touchpoint.Server.Reports;

/// <summary>
/// One queue (brand) and channel of the first-response report. Sample sizes: <paramref name="CustomerContacts"/> inbound
/// contacts, <paramref name="Answered"/> of them with a first response; the median, p90 and the share within the channel's
/// SLA are over the answered ones. The share comes with its 95 % interval (Wilson) and half its width
/// (<paramref name="MarginOfError95"/>, the "±" the page shows); <paramref name="SmallSample"/> marks fewer answered
/// contacts than the report's <c>smallSampleBelow</c>.
/// </summary>
public sealed record FirstResponseRowDto(string Queue, Channel Channel, long CustomerContacts, long Answered, double AnsweredShare,
    double? MedianSeconds, double? P90Seconds, int? SlaSeconds, long WithinSla, double? ShareWithinSla, double? ShareWithinSlaLow95,
    double? ShareWithinSlaHigh95, double? MarginOfError95, bool SmallSample)
{
    public static FirstResponseRowDto From(FirstResponseRow r) => new(r.Queue, r.Channel, r.CustomerContacts, r.Answered, r.AnsweredShare,
        r.MedianSeconds, r.P90Seconds, r.SlaSeconds, r.WithinSla, r.ShareWithinSla, r.SlaShare?.Interval95?.Low, r.SlaShare?.Interval95?.High,
        r.SlaShare?.MarginOfError95, r.IsSmallSample);
}

public sealed record FirstResponseReportDto(int SmallSampleBelow, IReadOnlyList<FirstResponseRowDto> Rows);

public static class ReportsApi
{
    public static void MapReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization();
        group.MapGet("/first-response", FirstResponse);
    }

    /// <summary>
    /// First response per queue (for twcs: per brand) and channel over inbound contacts, the figures of the report page and
    /// of <c>touchpoint report first-response</c>, busiest first.
    /// </summary>
    /// <param name="channel">Only this channel (phone, email, chat, sms, social, ...).</param>
    /// <param name="casePrefix">Only contacts whose case external id starts with this (e.g. "twcs:").</param>
    /// <param name="from">Only contacts started on or after this UTC day.</param>
    /// <param name="to">Only contacts started on or before this UTC day.</param>
    public static async Task<Ok<FirstResponseReportDto>> FirstResponse(FirstResponseReport report, ChannelName? channel, string? casePrefix,
        DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var rows = await report.ComputeAsync(new FirstResponseQuery(channel?.Value, casePrefix, from, to), cancellationToken);
        return TypedResults.Ok(new FirstResponseReportDto(Proportion.SmallSample, rows.Select(FirstResponseRowDto.From).ToList()));
    }
}
