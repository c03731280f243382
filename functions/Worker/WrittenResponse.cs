using Microsoft.AspNetCore.Mvc;

namespace FunctionsObservability.Functions.Worker;

/// <summary>
/// What an HTTP function returns once its handler has written the answer to the HttpContext itself
/// (streamed, as standalone). Returning an action result gives the function the usual <c>$return</c>
/// http output binding; executing it writes nothing more.
/// </summary>
internal static class WrittenResponse
{
    public static readonly IActionResult Instance = new EmptyResult();
}
