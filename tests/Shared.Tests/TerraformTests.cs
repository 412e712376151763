using System.Diagnostics;
using System.Text.Json;
using OpsConsole.Shared.Lake.Storage.S3;
using OpsConsole.Shared.State.DynamoDb;
using OpsConsole.Shared.Streams;
using OpsConsole.TestSupport;

namespace OpsConsole.Shared.Tests;

/// <summary>
/// deploy/terraform, parsed with Terraform's HCL parser (@cdktf/hcl2json; no Terraform binary here, and it was never
/// applied): every file is valid, and the rules production relies on hold, including that the tables' key and
/// time-to-live names are the code's.
/// </summary>
public sealed class TerraformTests : IAsyncLifetime
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "deploy", "terraform");
    private static readonly string[] PublicAccessBlocks = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
    private JsonElement _files;

    public async Task InitializeAsync() => _files = await NodeTools.RunJsonAsync("hcl2json.mjs", "@cdktf/hcl2json", Folder);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void EveryFileParses_AndEachConcernHasItsFile()
    {
        Assert.Equal(["dynamodb.tf", "ecr.tf", "iam.tf", "kms.tf", "lake.tf", "outputs.tf", "variables.tf", "versions.tf"],
            _files.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AMalformedFile_IsRejected()
    {
        var folder = Directory.CreateTempSubdirectory("opsconsole-tf-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.tf"), "resource \"aws_s3_bucket\" \"lake\" {\n  bucket = \n");
        using var node = Process.Start(new ProcessStartInfo("node", [Path.Combine(NodeTools.Folder, "hcl2json.mjs"), folder]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Directory.Delete(folder, recursive: true);

        Assert.Equal(1, node.ExitCode);
        Assert.StartsWith("broken.tf:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Iam_NoStatementAllowsEverythingOrEverywhere()
    {
        var statements = Blocks("data", "aws_iam_policy_document").SelectMany(d => d.Body.GetProperty("statement").EnumerateArray()).ToList();

        Assert.True(statements.Count >= 15, $"{statements.Count} statements");
        foreach (var statement in statements)
        {
            var actions = Strings(statement, "actions");
            var resources = Strings(statement, "resources");
            var allow = !statement.TryGetProperty("effect", out var effect) || effect.GetString() == "Allow";
            Assert.DoesNotContain("*", actions);
            Assert.False(actions.Contains("*", StringComparer.Ordinal) && resources.Contains("*", StringComparer.Ordinal));
            if (allow)
            {
                Assert.DoesNotContain("*", resources);
                Assert.DoesNotContain(actions, a => a.EndsWith(":*", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Iam_RolesAreForServiceAccounts_AndTheJobWritesOnlyItsTables()
    {
        var policies = Blocks("data", "aws_iam_policy_document").ToDictionary(b => b.Name, b => b.Body);
        foreach (var assume in new[] { "assume_job", "assume_console" })
        {
            var statement = policies[assume].GetProperty("statement")[0];
            Assert.Equal(["sts:AssumeRoleWithWebIdentity"], Strings(statement, "actions"));
            Assert.Contains(statement.GetProperty("condition").EnumerateArray(), c => c.GetProperty("variable").GetString()!.EndsWith(":sub", StringComparison.Ordinal));
        }
        var writes = policies["job"].GetProperty("statement").EnumerateArray().Single(s => Strings(s, "actions").Contains("s3:PutObject"));
        Assert.Equal(["${local.tables}/*"], Strings(writes, "resources"));
        Assert.Contains("tables     = \"${local.lake_root}/raw/${var.source_name}\"", File.ReadAllText(Path.Combine(Folder, "iam.tf")), StringComparison.Ordinal);
    }

    [Fact]
    public void Lake_IsVersionedEncryptedWithKmsPrivate_AndCleansStagingOfEveryStream()
    {
        var versioning = Single("resource", "aws_s3_bucket_versioning");
        Assert.Equal("Enabled", versioning.GetProperty("versioning_configuration")[0].GetProperty("status").GetString());
        var encryption = Single("resource", "aws_s3_bucket_server_side_encryption_configuration").GetProperty("rule")[0]
            .GetProperty("apply_server_side_encryption_by_default")[0];
        Assert.Equal("aws:kms", encryption.GetProperty("sse_algorithm").GetString());
        var block = Single("resource", "aws_s3_bucket_public_access_block");
        Assert.All(PublicAccessBlocks, key => Assert.True(block.GetProperty(key).GetBoolean(), key));

        var lifecycle = Single("resource", "aws_s3_bucket_lifecycle_configuration");
        var prefixes = lifecycle.GetProperty("dynamic").GetProperty("rule").EnumerateArray()
            .Select(r => r.GetProperty("content")[0].GetProperty("filter")[0].GetProperty("prefix").GetString()).ToList();
        Assert.Contains("${var.lake_prefix}/raw/${var.source_name}/${rule.value}/_staging/", prefixes);
        Assert.Contains("${var.lake_prefix}/raw/${var.source_name}/${rule.value}/_delta_log/.tmp/", prefixes);
        Assert.Contains(lifecycle.GetProperty("rule").EnumerateArray(), r => r.TryGetProperty("noncurrent_version_expiration", out _));
        Assert.Contains(lifecycle.GetProperty("rule").EnumerateArray(), r => r.TryGetProperty("abort_incomplete_multipart_upload", out _));
        var streams = Blocks("variable", "streams").Single().Body;
        Assert.Equal(StreamCatalog.Names(), Strings(streams, "default"));
    }

    [Fact]
    public void Tables_AreOnDemandWithRecoveryAndEncryption_AndTheirKeysAndTtlAreTheCodes()
    {
        var tables = Blocks("resource", "aws_dynamodb_table").ToDictionary(b => b.Name, b => b.Body);
        foreach (var table in tables.Values)
        {
            Assert.Equal("PAY_PER_REQUEST", table.GetProperty("billing_mode").GetString());
            Assert.True(table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean());
            Assert.True(table.GetProperty("server_side_encryption")[0].GetProperty("enabled").GetBoolean());
            Assert.True(table.GetProperty("ttl")[0].GetProperty("enabled").GetBoolean());
        }
        AssertKeys(tables["state"], DynamoDbStateStore.PartitionKey, DynamoDbStateStore.SortKey, DynamoDbStateStore.TtlAttribute);
        AssertKeys(tables["commits"], DynamoDbCommitLog.TablePathAttribute, DynamoDbCommitLog.FileNameAttribute, DynamoDbCommitLog.ExpireTimeAttribute);
    }

    [Fact]
    public void Outputs_GiveTheTwoUris_AsTheStoresParseThem()
    {
        var lake = Blocks("output", "lake_uri").Single().Body.GetProperty("value").GetString()!;
        var state = Blocks("output", "state_uri").Single().Body.GetProperty("value").GetString()!;
        string Fill(string value) => value.Replace("${aws_s3_bucket.lake.bucket}", "lake-bucket", StringComparison.Ordinal)
            .Replace("${var.lake_prefix}", "lake", StringComparison.Ordinal).Replace("${var.region}", "eu-west-1", StringComparison.Ordinal)
            .Replace("${aws_dynamodb_table.commits.name}", "opsconsole-commits", StringComparison.Ordinal)
            .Replace("${aws_dynamodb_table.state.name}", "opsconsole-state", StringComparison.Ordinal);

        var settings = S3LakeSettings.Parse(Storage.StoreUri.Parse(Fill(lake), "file"));
        Assert.Equal(("lake-bucket", "lake", "opsconsole-commits"), (settings.Bucket, settings.Prefix, settings.CommitTable));
        Assert.Equal("opsconsole-state", DynamoDbStateStore.Configure(Storage.StoreUri.Parse(Fill(state), "sqlite")).Table);
    }

    private static void AssertKeys(JsonElement table, string hash, string range, string ttl)
    {
        Assert.Equal(hash, table.GetProperty("hash_key").GetString());
        Assert.Equal(range, table.GetProperty("range_key").GetString());
        Assert.Equal(ttl, table.GetProperty("ttl")[0].GetProperty("attribute_name").GetString());
        Assert.Equal([hash, range], table.GetProperty("attribute").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
    }

    /// <summary>Every block of <paramref name="kind"/> (resource, data, variable, output) and type, by name, across the files.</summary>
    private IEnumerable<(string Name, JsonElement Body)> Blocks(string kind, string type)
    {
        foreach (var file in _files.EnumerateObject())
        {
            if (!file.Value.TryGetProperty(kind, out var blocks))
            {
                continue;
            }
            if (kind is "variable" or "output")
            {
                if (blocks.TryGetProperty(type, out var single))
                {
                    yield return (type, single[0]);
                }
                continue;
            }
            if (blocks.TryGetProperty(type, out var ofType))
            {
                foreach (var block in ofType.EnumerateObject())
                {
                    yield return (block.Name, block.Value[0]);
                }
            }
        }
    }

    private JsonElement Single(string kind, string type) => Assert.Single(Blocks(kind, type)).Body;

    /// <summary>A list attribute's strings; an attribute set from an expression (<c>local.table_arns</c>) is that one expression.</summary>
    private static List<string> Strings(JsonElement element, string property) => element.TryGetProperty(property, out var values)
        ? values.ValueKind == JsonValueKind.String ? [values.GetString()!] : [.. values.EnumerateArray().Select(v => v.GetString()!)]
        : [];
}
