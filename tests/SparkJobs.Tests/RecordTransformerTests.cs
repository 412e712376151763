using System.Text.Json;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Tests;

public sealed class RecordTransformerTests
{
    private static readonly DateTimeOffset IngestedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    [Fact]
    public void Add_Charge_TypesItsFieldsAndKeepsTheRestInExtra()
    {
        var transformer = new RecordTransformer(StreamSchema.Charges, "run-1", IngestedAt);

        Assert.True(transformer.Add(Json("""
            {"id":"ch_1","object":"charge","created":1789999000,"amount":1200,"currency":"eur","paid":true,
             "metadata":{"order_id":"ord_9"},"outcome":{"type":"authorized"},"x_new_field":7,"customer":null}
            """)));

        var table = transformer.ToTable();
        Assert.Equal("ch_1", ((string?[])table["id"])[0]);
        Assert.Equal(1200, ((long?[])table["amount"])[0]);
        Assert.True(((bool?[])table["paid"])[0]);
        Assert.Null(((string?[])table["customer"])[0]);
        Assert.Equal("""{"order_id":"ord_9"}""", ((string?[])table["metadata"])[0]);
        var extra = JsonDocument.Parse(((string?[])table["_extra"])[0]!).RootElement;
        Assert.Equal("authorized", extra.GetProperty("outcome").GetProperty("type").GetString());
        Assert.Equal(7, extra.GetProperty("x_new_field").GetInt32());
        Assert.False(extra.TryGetProperty("amount", out _));
        Assert.Equal("run-1", ((string?[])table["_run_id"])[0]);
        Assert.Equal(1_790_000_000_000_000L, ((long?[])table["_ingested_at"])[0]);
        Assert.Equal(1, transformer.UnknownFields["x_new_field"]);
        Assert.False(transformer.UnknownFields.ContainsKey("outcome"));
    }

    [Fact]
    public void Add_WronglyTypedOptionalField_KeepsTheValueInExtra()
    {
        var transformer = new RecordTransformer(StreamSchema.Charges, "run-1", IngestedAt);

        transformer.Add(Json("""{"id":"ch_2","created":1,"amount":"twelve"}"""));

        var table = transformer.ToTable();
        Assert.Null(((long?[])table["amount"])[0]);
        Assert.Equal("twelve", JsonDocument.Parse(((string?[])table["_extra"])[0]!).RootElement.GetProperty("amount").GetString());
    }

    [Theory]
    [InlineData("""{"created":1}""", "a record without an id: required field id is missing")]
    [InlineData("""{"id":"ch_3"}""", "record ch_3: required field created is missing")]
    [InlineData("""{"id":"ch_4","created":"yesterday"}""", "record ch_4: field created is a String, not a Int64")]
    [InlineData("""[1,2]""", "a Array instead of an object")]
    public void Add_BrokenRecord_IsRejectedWithTheReason(string json, string reason)
    {
        var transformer = new RecordTransformer(StreamSchema.Charges, "run-1", IngestedAt);

        Assert.False(transformer.Add(Json(json)));

        Assert.Equal(reason, Assert.Single(transformer.Rejected));
        Assert.Equal(1, transformer.RejectedCount);
        Assert.Equal(0, transformer.Count);
    }

    [Fact]
    public void For_UnknownStream_NamesTheChoices()
    {
        var exception = Assert.Throws<ArgumentException>(() => StreamSchema.For("invoices"));

        Assert.Contains("charges, customers or refunds", exception.Message, StringComparison.Ordinal);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
