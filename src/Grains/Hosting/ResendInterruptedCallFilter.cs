using System.Collections.Concurrent;
using System.Reflection;
using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// A cluster client's outgoing calls: a call marked <see cref="ResendWhenInterruptedAttribute"/> whose attempt was
/// interrupted in the cluster is sent once more, with the same request (so the same command id). Interrupted means no
/// answer within the call timeout, the target silo gone, or the message rejected; these are what a client sees while a
/// silo leaves gracefully and hands its grains over (a call caught in that moment can lose its answer) or dies. The
/// second attempt reaches the grain where it lives now; if the first had been applied, the second is answered from it.
/// Only once: a cluster that is really unreachable fails the call after two attempts, and the API answers 503.
/// </summary>
public sealed partial class ResendInterruptedCallFilter(ILogger<ResendInterruptedCallFilter> logger) : IOutgoingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> Marked = new();
    private long _resent;

    /// <summary>Calls this client has sent once more.</summary>
    public long Resent => Interlocked.Read(ref _resent);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Marked.GetOrAdd(context.InterfaceMethod, m => m.GetCustomAttribute<ResendWhenInterruptedAttribute>() is not null))
        {
            await context.Invoke();
            return;
        }

        Exception? interrupted;
        try
        {
            await context.Invoke();
            interrupted = context.Response?.Exception is { } failure && IsInterruption(failure) ? failure : null;
        }
        catch (Exception failure) when (IsInterruption(failure))
        {
            interrupted = failure;
        }

        if (interrupted is not null)
        {
            Interlocked.Increment(ref _resent);
            CaseGrainsTelemetry.CallsResent.Add(1, new("method", context.MethodName), new("failure", interrupted.GetType().Name));
            LogResent(logger, context.InterfaceName, context.MethodName, context.TargetId, interrupted.GetType().Name);
            await context.Invoke();
        }
    }

    /// <summary>A failure of the cluster, not of the call: the request may or may not have been applied.</summary>
    public static bool IsInterruption(Exception failure) =>
        failure is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Interface}.{Method} to {Target} was interrupted ({Failure}); sent once more with the same request")]
    private static partial void LogResent(ILogger logger, string @interface, string method, GrainId target, string failure);
}
