using System.Runtime.InteropServices;
using OpsConsole.SparkJobs;

// SIGTERM (a cancel from the console, a pod's termination) and SIGINT cancel the run from the process's first
// instruction on: the job takes the stream's lease early, and a signal it did not yet handle would end the process
// holding it. The cancellation runs off the signal's thread, so the run's unwinding never runs inside the handler.
using var stop = new CancellationTokenSource();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
return await JobCommand.RunAsync(args, Console.Out, Console.Error, cancellationToken: stop.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    _ = Task.Run(stop.Cancel);
}
