variable "region" {
  description = "The AWS region of the lake, the tables and the cluster."
  type        = string
}

variable "name" {
  description = "Prefix of every resource name (bucket, tables, roles, repositories)."
  type        = string
  default     = "opsconsole"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name is 3 to 31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "lake_bucket" {
  description = "The lake bucket's name (globally unique)."
  type        = string
}

variable "lake_prefix" {
  description = "The prefix under which the tables live in the bucket (the path of the s3:// lake URI), without slashes at either end."
  type        = string
  default     = "lake"
}

variable "source_name" {
  description = "The source whose tables live under raw/<source>/ (the job's --source)."
  type        = string
  default     = "stripe"
}

variable "streams" {
  description = "The streams whose tables the job writes (raw/<source>/<stream>); lifecycle rules clean their staging."
  type        = list(string)
  default     = ["charges", "customers", "refunds"]
}

variable "staging_expiration_days" {
  description = "Days after which a run's staging objects (_staging/) and unfinished commit objects (_delta_log/.tmp/) are deleted: a run that dies leaves them, the next run of the stream normally removes them first."
  type        = number
  default     = 7
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object's old version is kept (the bucket is versioned) before it is removed."
  type        = number
  default     = 30
}

variable "eks_oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "eks_oidc_provider_url" {
  description = "URL of the EKS cluster's OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>)."
  type        = string
}

variable "namespace" {
  description = "The Kubernetes namespace of the console and the jobs."
  type        = string
  default     = "opsconsole"
}

variable "console_service_account" {
  description = "The console's Kubernetes service account."
  type        = string
  default     = "opsconsole-console"
}

variable "job_service_account" {
  description = "The jobs' Kubernetes service account."
  type        = string
  default     = "opsconsole-job"
}

variable "kms_deletion_window_days" {
  description = "Days before a scheduled deletion of the KMS key takes effect."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
