# One customer-managed key encrypts the lake, the tables and the images; rotated yearly.
resource "aws_kms_key" "opsconsole" {
  description             = "${var.name}: lake, state and commit tables, images"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
}

resource "aws_kms_alias" "opsconsole" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.opsconsole.key_id
}
