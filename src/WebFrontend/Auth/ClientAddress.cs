using System.Net;
using System.Net.Sockets;

namespace CaseGrains.WebFrontend.Auth;

/// <summary>
/// Who a client is for the per-address limits (the sign-in lock-out, the sign-in and anonymous rate limits): the peer's
/// address, or the address a listed proxy forwarded (<c>CaseGrains:Web:KnownProxies</c>; nobody else's
/// <c>X-Forwarded-For</c> is read). An IPv4 address is itself (also when it comes IPv4-mapped); an IPv6 client is its /64,
/// the block one subscriber is given, so rotating addresses inside it does not start a fresh count.
/// </summary>
public static class ClientAddress
{
    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    public static string Key(HttpContext http) => Key(http.Connection.RemoteIpAddress);
}
