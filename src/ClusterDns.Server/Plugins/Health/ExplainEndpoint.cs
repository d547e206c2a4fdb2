using System.Text.Json;
using ClusterDns.Protocol;
using ClusterDns.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace ClusterDns.Server.Plugins.Health;

/// <summary>
/// GET /explain?name=NAME[&amp;type=TYPE] on the health port (ours; <c>clusterdns explain</c> reads it): the
/// answer this server gives now, through its own pipeline, and the objects it comes from with their
/// resourceVersions and the time this replica received them. One request at a time (it may walk the zone's
/// store under the writer's lock); others get 429.
/// </summary>
internal sealed class ExplainEndpoint(InternalResolver resolver, IReadOnlyList<IAnswerExplainer> explainers)
{
    public const string Path = "/explain";

    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task ServeAsync(HttpContext context)
    {
        var nameText = context.Request.Query["name"].ToString();
        var typeText = context.Request.Query["type"].ToString();
        if (nameText.Length == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "give ?name=NAME[&type=TYPE]").ConfigureAwait(false);
            return;
        }
        if (!DnsName.TryParse(nameText.EndsWith('.') ? nameText : nameText + ".", out var name, out var error))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"'{nameText}' is not a domain name: {error}").ConfigureAwait(false);
            return;
        }
        var type = RecordType.A;
        if (typeText.Length > 0 && !RecordTypeNames.TryParse(typeText.ToUpperInvariant(), out type))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"'{typeText}' is not a record type").ConfigureAwait(false);
            return;
        }
        if (!await _one.WaitAsync(0).ConfigureAwait(false))
        {
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "another explain is running; try again").ConfigureAwait(false);
            return;
        }
        try
        {
            var response = await resolver.ResolveAsync(name, type).ConfigureAwait(false);
            var explanations = explainers.Select(e => e.Explain(name)).OfType<AnswerExplanation>().ToList();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json; charset=utf-8";
            await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
            ExplainJson.Write(json, name, type, response, explanations, DateTimeOffset.UtcNow);
            await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n").ConfigureAwait(false);
    }
}
