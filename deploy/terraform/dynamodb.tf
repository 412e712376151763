# The state table: checkpoints and their history, leases, slice progress, quality reports (see docs/dynamodb.md).
# Key and TTL attribute names are the code's (DynamoDbStateStore); a test checks they match.
resource "aws_dynamodb_table" "state" {
  name         = "${var.name}-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  # Lease items carry their expiry here; DynamoDB removes expired ones.
  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.opsconsole.arn
  }

  deletion_protection_enabled = true
}

# The commit-coordination table (the layout of Delta Lake's S3DynamoDBLogStore): one item per claimed commit file.
resource "aws_dynamodb_table" "commits" {
  name         = "${var.name}-commits"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "tablePath"
  range_key    = "fileName"

  attribute {
    name = "tablePath"
    type = "S"
  }

  attribute {
    name = "fileName"
    type = "S"
  }

  # A complete entry is kept a day after its commit is in place.
  ttl {
    attribute_name = "expireTime"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.opsconsole.arn
  }

  deletion_protection_enabled = true
}
