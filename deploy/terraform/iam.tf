# IAM roles for service accounts (IRSA): the console's and the jobs' pods get these through their service accounts.
# Least privilege: the jobs write only their source's tables and state items; the console reads the lake (and writes
# the runs' log archives beside the tables), and reads and changes state. No statement allows "*" on "*".

locals {
  lake_root  = "${aws_s3_bucket.lake.arn}/${var.lake_prefix}"
  tables     = "${local.lake_root}/raw/${var.source_name}"
  oidc       = var.eks_oidc_provider_url
  table_arns = [aws_dynamodb_table.state.arn, aws_dynamodb_table.commits.arn]
}

data "aws_iam_policy_document" "assume_job" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.eks_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.job_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "assume_console" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.eks_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.console_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "job" {
  statement {
    sid       = "FindTheBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [aws_s3_bucket.lake.arn]
  }

  statement {
    sid       = "ListTheTables"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.lake.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.lake_prefix}/raw/${var.source_name}/*"]
    }
  }

  statement {
    sid = "ReadAndWriteTheTables"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.tables}/*"]
  }

  statement {
    sid = "StateItemsOfTheSource"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
    ]
    resources = [aws_dynamodb_table.state.arn]

    # The partition keys the job writes (DynamoDbStateStore): its source's checkpoints, history, leases, slices, reports.
    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values = [
        "checkpoints",
        "history#${var.source_name}/*",
        "lease#${var.source_name}/*",
        "slices#${var.source_name}/*",
        "reports#${var.source_name}/*",
        "report#*",
      ]
    }
  }

  statement {
    sid = "CoordinateCommits"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:Query",
    ]
    resources = [aws_dynamodb_table.commits.arn]
  }

  statement {
    sid       = "OpenTheTables"
    actions   = ["dynamodb:DescribeTable"]
    resources = local.table_arns
  }

  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.opsconsole.arn]
  }
}

data "aws_iam_policy_document" "console" {
  statement {
    sid       = "FindTheBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [aws_s3_bucket.lake.arn]
  }

  statement {
    sid       = "ListTheLake"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.lake.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.lake_prefix}/*"]
    }
  }

  statement {
    sid       = "ReadTheLake"
    actions   = ["s3:GetObject"]
    resources = ["${local.lake_root}/*"]
  }

  statement {
    sid       = "ArchiveRunLogs"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${local.lake_root}/raw/*/_runs/*"]
  }

  statement {
    sid = "ReadAndChangeState"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:DescribeTable",
    ]
    resources = [aws_dynamodb_table.state.arn]
  }

  statement {
    sid       = "ReadCommits"
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable"]
    resources = [aws_dynamodb_table.commits.arn]
  }

  statement {
    sid       = "UseTheKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.opsconsole.arn]
  }
}

resource "aws_iam_role" "job" {
  name               = "${var.name}-job"
  assume_role_policy = data.aws_iam_policy_document.assume_job.json
}

resource "aws_iam_role_policy" "job" {
  name   = "${var.name}-job"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

resource "aws_iam_role" "console" {
  name               = "${var.name}-console"
  assume_role_policy = data.aws_iam_policy_document.assume_console.json
}

resource "aws_iam_role_policy" "console" {
  name   = "${var.name}-console"
  role   = aws_iam_role.console.id
  policy = data.aws_iam_policy_document.console.json
}
