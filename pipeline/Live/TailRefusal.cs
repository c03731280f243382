namespace FunctionsObservability.Pipeline.Live;

/// <summary>Why a subscription was refused.</summary>
public enum TailRefusal
{
    None,

    /// <summary><see cref="TailOptions.MaxSubscribers"/> reached: the service is full (503).</summary>
    ServiceFull,

    /// <summary><see cref="TailOptions.MaxSubscribersPerClient"/> reached for this client (429).</summary>
    ClientFull,
}
