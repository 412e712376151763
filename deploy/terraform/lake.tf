# The lake: one bucket, versioned, encrypted with the project's KMS key, never public.
resource "aws_s3_bucket" "lake" {
  bucket = var.lake_bucket
}

resource "aws_s3_bucket_versioning" "lake" {
  bucket = aws_s3_bucket.lake.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.opsconsole.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "lake" {
  bucket = aws_s3_bucket.lake.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Only TLS, only the project's key.
data "aws_iam_policy_document" "lake_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.lake.arn,
      "${aws_s3_bucket.lake.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "lake" {
  bucket = aws_s3_bucket.lake.id
  policy = data.aws_iam_policy_document.lake_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.lake]
}

# Staging a dead run left behind, commit objects a killed writer never put in place, parts of uploads never completed,
# and old versions: all expire. Lifecycle filters take a literal prefix, so there is one rule per stream.
resource "aws_s3_bucket_lifecycle_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {
      prefix = "${var.lake_prefix}/"
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {
      prefix = "${var.lake_prefix}/"
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    expiration {
      expired_object_delete_marker = true
    }
  }

  dynamic "rule" {
    for_each = toset(var.streams)

    content {
      id     = "expire-staging-${rule.value}"
      status = "Enabled"

      filter {
        prefix = "${var.lake_prefix}/raw/${var.source_name}/${rule.value}/_staging/"
      }

      expiration {
        days = var.staging_expiration_days
      }
    }
  }

  dynamic "rule" {
    for_each = toset(var.streams)

    content {
      id     = "expire-unfinished-commits-${rule.value}"
      status = "Enabled"

      filter {
        prefix = "${var.lake_prefix}/raw/${var.source_name}/${rule.value}/_delta_log/.tmp/"
      }

      expiration {
        days = var.staging_expiration_days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.lake]
}
