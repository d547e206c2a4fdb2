namespace ClusterDns.Protocol.Text;

/// <summary>Turns master-file entries into records, following $INCLUDEs; one instance per zone read.</summary>
internal sealed class ZoneFileParser
{
    private readonly List<DnsRecord> _records = [];
    private readonly List<string> _includeStack = [];
    private RecordClass? _zoneClass;
    private uint? _soaMinimum;

    /// <summary>What one file's reading carries from entry to entry; an included file starts from a copy.</summary>
    private struct FileState
    {
        public DnsName? Origin;
        public uint? DefaultTtl;
        public uint? LastTtl;
        public DnsName? LastOwner;
    }

    public ZoneFileParseResult Parse(string text, string fileName, DnsName? origin)
    {
        var error = ParseFile(text, fileName, new FileState { Origin = origin });
        return error is null ? ZoneFileParseResult.Success(_records) : ZoneFileParseResult.Failure(error);
    }

    public static bool TryReadText(string path, out string text, out string? error)
    {
        text = "";
        error = null;
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot read zone file: {e.Message}";
            return false;
        }
    }

    private ZoneFileError? ParseFile(string text, string fileName, FileState state)
    {
        _includeStack.Add(FullPath(fileName));
        try
        {
            var tokenizer = new ZoneFileTokenizer(text);
            while (true)
            {
                if (!tokenizer.TryReadEntry(out var entry, out int errorLine, out string? tokenError))
                {
                    return tokenError is null ? null : new ZoneFileError(fileName, errorLine, tokenError);
                }
                var error = ParseEntry(entry, fileName, ref state);
                if (error is not null)
                {
                    return error;
                }
            }
        }
        finally
        {
            _includeStack.RemoveAt(_includeStack.Count - 1);
        }
    }

    private ZoneFileError? ParseEntry(ZoneFileEntry entry, string fileName, ref FileState state)
    {
        var fields = entry.Fields;
        ZoneFileError Error(string message) => new(fileName, entry.Line, message);

        if (!entry.StartsWithBlank && fields[0].StartsWith('$'))
        {
            return ParseDirective(entry, fileName, ref state);
        }

        int i = 0;
        DnsName owner;
        if (entry.StartsWithBlank)
        {
            if (state.LastOwner is null)
            {
                return Error("no owner name, and no previous record to take it from");
            }
            owner = state.LastOwner;
        }
        else
        {
            if (!PresentationText.TryParseName(fields[0], state.Origin, out owner, out string nameError))
            {
                return Error($"owner: {nameError}");
            }
            i = 1;
        }

        // TTL and class, both optional, in either order (RFC 1035 §5.1).
        uint? ttl = null;
        RecordClass? recordClass = null;
        while (i < fields.Count)
        {
            string field = fields[i];
            if (ttl is null && char.IsAsciiDigit(field[0]))
            {
                if (!PresentationText.TryParseTime(field, "TTL", out uint value, out string ttlError))
                {
                    return Error(ttlError);
                }
                ttl = value;
            }
            else if (recordClass is null && TryParseClass(field, out var parsedClass))
            {
                recordClass = parsedClass;
            }
            else
            {
                break;
            }
            i++;
        }

        if (i >= fields.Count)
        {
            return Error("missing record type");
        }
        if (!RecordTypeNames.TryParse(fields[i], out RecordType type))
        {
            return Error($"unknown record type '{fields[i]}'");
        }
        if (type is RecordType.OPT or RecordType.ANY or RecordType.AXFR or RecordType.IXFR)
        {
            return Error($"{RecordTypeNames.ToText(type)} is not a record type a zone can hold");
        }
        var rdataFields = new List<string>(fields.Count - i - 1);
        for (int k = i + 1; k < fields.Count; k++)
        {
            rdataFields.Add(fields[k]);
        }
        if (!RecordData.TryParse(type, rdataFields, state.Origin, out var data, out string rdataError))
        {
            return Error($"{RecordTypeNames.ToText(type)}: {rdataError}");
        }

        var effectiveClass = recordClass ?? _zoneClass ?? RecordClass.IN;
        if (_zoneClass is { } zoneClass && zoneClass != effectiveClass)
        {
            return Error($"class {RecordTypeNames.ToText(effectiveClass)} differs from the zone's class {RecordTypeNames.ToText(zoneClass)}");
        }
        _zoneClass = effectiveClass;

        if (data is SoaData soa)
        {
            _soaMinimum = soa.Minimum;
        }
        // Explicit, else $TTL, else the previous record's (BIND), else the SOA minimum (RFC 1035/2308).
        uint? effectiveTtl = ttl ?? state.DefaultTtl ?? state.LastTtl ?? _soaMinimum;
        if (effectiveTtl is null)
        {
            return Error("no TTL given, no $TTL and no SOA record before this one");
        }
        state.LastTtl = effectiveTtl;
        state.LastOwner = owner;
        _records.Add(new DnsRecord(owner, type, effectiveClass, effectiveTtl.Value, data));
        return null;
    }

    private ZoneFileError? ParseDirective(ZoneFileEntry entry, string fileName, ref FileState state)
    {
        var fields = entry.Fields;
        ZoneFileError Error(string message) => new(fileName, entry.Line, message);
        string directive = fields[0].ToUpperInvariant();
        switch (directive)
        {
            case "$ORIGIN":
                if (fields.Count != 2)
                {
                    return Error("$ORIGIN takes one name");
                }
                if (!PresentationText.TryParseName(fields[1], state.Origin, out var origin, out string originError))
                {
                    return Error($"$ORIGIN: {originError}");
                }
                state.Origin = origin;
                return null;
            case "$TTL":
                if (fields.Count != 2)
                {
                    return Error("$TTL takes one TTL");
                }
                if (!PresentationText.TryParseTime(fields[1], "$TTL", out uint ttl, out string ttlError))
                {
                    return Error(ttlError);
                }
                state.DefaultTtl = ttl;
                return null;
            case "$INCLUDE":
                return Include(entry, fileName, state);
            case "$GENERATE":
                return Error("$GENERATE is not supported");
            default:
                return Error($"unknown directive '{fields[0]}'");
        }
    }

    private ZoneFileError? Include(ZoneFileEntry entry, string fileName, FileState state)
    {
        var fields = entry.Fields;
        ZoneFileError Error(string message) => new(fileName, entry.Line, message);
        if (fields.Count is < 2 or > 3)
        {
            return Error("$INCLUDE takes a file name and optionally an origin");
        }
        if (!PresentationText.TryUnescape(fields[1], out var pathBytes, out string pathError))
        {
            return Error($"$INCLUDE: {pathError}");
        }
        string includePath = System.Text.Encoding.UTF8.GetString(pathBytes);
        // Relative to the including file, not to the process's working directory.
        string? directory = Path.GetDirectoryName(FullPath(fileName));
        string resolved = FullPath(Path.Combine(string.IsNullOrEmpty(directory) ? "." : directory, includePath));
        if (_includeStack.Contains(resolved))
        {
            return Error($"$INCLUDE {includePath}: include cycle");
        }
        if (_includeStack.Count > ZoneFileReader.MaxIncludeDepth)
        {
            return Error($"$INCLUDE {includePath}: includes nested deeper than {ZoneFileReader.MaxIncludeDepth}");
        }
        var included = state;
        if (fields.Count == 3)
        {
            if (!PresentationText.TryParseName(fields[2], state.Origin, out var origin, out string originError))
            {
                return Error($"$INCLUDE origin: {originError}");
            }
            included.Origin = origin;
        }
        if (!TryReadText(resolved, out string text, out string? readError))
        {
            return Error($"$INCLUDE {includePath}: {readError}");
        }
        // The included file's $ORIGIN and $TTL do not leak back into this one (RFC 1035 §5.1).
        return ParseFile(text, resolved, included);
    }

    /// <summary>The absolute path, or the name as given when it is no usable path (e.g. "" for text from memory).</summary>
    private static string FullPath(string fileName)
    {
        try
        {
            return Path.GetFullPath(fileName);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return fileName;
        }
    }

    private static bool TryParseClass(string field, out RecordClass recordClass)
    {
        // ANY and NONE are query/update classes; as zone data, and as type names, they would only confuse.
        return RecordTypeNames.TryParse(field, out recordClass) && recordClass is not (RecordClass.ANY or RecordClass.NONE);
    }
}
