-- Registrations filtered by model: case-insensitive prefix ("thinkpad" finds "ThinkPad X1").
CREATE INDEX product_registrations_model_lower_idx ON product_registrations (lower(model) text_pattern_ops, registered_at DESC);
DROP INDEX product_registrations_model_idx;
