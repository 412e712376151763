output "lake_uri" {
  description = "Lake:Uri for the console and --lake for the jobs."
  value       = "s3://${aws_s3_bucket.lake.bucket}/${var.lake_prefix}?region=${var.region}&commitTable=${aws_dynamodb_table.commits.name}"
}

output "state_uri" {
  description = "State:Uri for the console and --state for the jobs."
  value       = "dynamodb://${aws_dynamodb_table.state.name}?region=${var.region}"
}

output "job_role_arn" {
  description = "Annotate the jobs' service account with eks.amazonaws.com/role-arn = this."
  value       = aws_iam_role.job.arn
}

output "console_role_arn" {
  description = "Annotate the console's service account with eks.amazonaws.com/role-arn = this."
  value       = aws_iam_role.console.arn
}

output "ecr_repositories" {
  description = "Where to push the console and job images."
  value       = { for key, repository in aws_ecr_repository.images : key => repository.repository_url }
}

output "kms_key_arn" {
  value = aws_kms_key.opsconsole.arn
}
