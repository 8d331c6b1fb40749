namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// Marks a grain method whose request carries a client-chosen command id, so that receiving it twice is harmless: the
/// second is answered from the first outcome and appends nothing. A cluster client sends such a call once more, with the
/// same request, when its first attempt was interrupted in the cluster (no answer within the call timeout, the target silo
/// gone, the message rejected while a silo hands its grains over). Methods without it are never sent twice.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ResendWhenInterruptedAttribute : Attribute;
