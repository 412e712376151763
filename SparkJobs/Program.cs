using OpsConsole.SparkJobs;

return await JobCommand.RunAsync(args, Console.Out, Console.Error);
