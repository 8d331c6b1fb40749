using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace CaseGrains.WebFrontend.Web;

/// <summary>
/// The web UI's files and the API's answers over a thin link (docs/offline.md, "Over a thin link"): the build writes a
/// brotli and a gzip copy beside each text file (ClientApp/vite.config.ts), sent to a browser that accepts it; the hashed
/// files under /assets/ are cached for a year as immutable (a new build has new names); everything else — the page, the
/// service worker, the manifest — is revalidated on every load, so an update is seen at once. API answers are compressed
/// on the fly, except the sign-in ones that carry tokens.
/// </summary>
internal static class ClientFiles
{
    public const string ImmutablePrefix = "/assets/";
    public const string ImmutableCaching = "public, max-age=31536000, immutable";
    public const string RevalidateCaching = "no-cache";

    private const string EncodingKey = "casegrains.static-encoding";

    private static readonly (string Token, string Suffix)[] Encodings = [("br", ".br"), ("gzip", ".gz")];

    public static void AddClientFiles(this IServiceCollection services)
    {
        services.AddResponseCompression(o =>
        {
            // Over TLS too: the cookie is SameSite=Strict and writes need the antiforgery header, so another site cannot
            // make the authenticated requests a compression side channel (BREACH) needs; the sign-in answers, which
            // carry tokens, are never compressed (UseClientFiles).
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ["application/json", "application/problem+json", "text/csv"];
        });
        // Fastest: on a two-core frontend the API's CPU matters more than the last few per cent of bytes.
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
    }

    public static void UseClientFiles(this WebApplication app)
    {
        var files = app.Environment.WebRootFileProvider;
        var types = new CompressedContentTypes();
        app.UseDefaultFiles();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Path.Value is { } path
                && types.TryGetContentType(path, out _))
            {
                var accepted = request.GetTypedHeaders().AcceptEncoding;
                foreach (var (token, suffix) in Encodings)
                {
                    if (!files.GetFileInfo(path + suffix).Exists)
                    {
                        continue;
                    }

                    // A compressed copy exists: caches must keep the variants apart, whichever one this client gets.
                    context.Response.Headers.Vary = HeaderNames.AcceptEncoding;
                    if (Accepts(accepted, token))
                    {
                        context.Items[EncodingKey] = token;
                        request.Path = path + suffix;
                        break;
                    }
                }
            }

            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = file =>
            {
                var headers = file.Context.Response.Headers;
                if (file.Context.Items.TryGetValue(EncodingKey, out var encoding))
                {
                    headers.ContentEncoding = (string)encoding!;
                }

                headers.CacheControl = file.Context.Request.Path.StartsWithSegments(ImmutablePrefix.TrimEnd('/'), StringComparison.Ordinal)
                    ? ImmutableCaching
                    : RevalidateCaching;
            },
        });
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
                && !context.Request.Path.StartsWithSegments("/api/auth", StringComparison.Ordinal),
            branch => branch.UseResponseCompression());
    }

    private static bool Accepts(IList<StringWithQualityHeaderValue> accepted, string token) =>
        accepted.Any(a => (a.Value.Equals(token, StringComparison.OrdinalIgnoreCase) || a.Value.Equals("*", StringComparison.Ordinal))
            && (a.Quality ?? 1) > 0);

    /// <summary>The type of a compressed copy is the type of the file it compresses (index.html.br is text/html).</summary>
    private sealed class CompressedContentTypes : IContentTypeProvider
    {
        private readonly FileExtensionContentTypeProvider _inner = new()
        {
            Mappings = { [".webmanifest"] = "application/manifest+json" },
        };

        public bool TryGetContentType(string subpath, out string contentType)
        {
            foreach (var (_, suffix) in Encodings)
            {
                if (subpath.EndsWith(suffix, StringComparison.Ordinal))
                {
                    return _inner.TryGetContentType(subpath[..^suffix.Length], out contentType!);
                }
            }

            return _inner.TryGetContentType(subpath, out contentType!);
        }
    }
}
