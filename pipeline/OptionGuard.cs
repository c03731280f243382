namespace FunctionsObservability.Pipeline;

/// <summary>Start-up checks shared by the options classes; messages name the configuration key.</summary>
internal static class OptionGuard
{
    public static void Positive(int value, string section, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{section}:{name} must be greater than zero.");
        }
    }
}
