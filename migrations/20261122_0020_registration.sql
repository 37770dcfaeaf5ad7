-- Product registration (SPEC R-1 … R-7): registered products and the manufacturer's shipped list.

CREATE TABLE shipped_products (
  serial       text PRIMARY KEY CHECK (serial ~ '^[A-Z0-9][A-Z0-9._/-]{0,99}$'),
  maker        text NOT NULL CHECK (length(maker) BETWEEN 1 AND 100),
  model        text NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
  category     text NOT NULL CHECK (category IN ('pc', 'printer', 'scanner', 'terminal_adapter', 'storage', 'other')),
  shipped_on   date,
  imported_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_registrations (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id    bigint NOT NULL,
  -- one registration per serial: double registration is impossible (R-2)
  serial         text NOT NULL UNIQUE CHECK (serial ~ '^[A-Z0-9][A-Z0-9._/-]{0,99}$'),
  maker          text NOT NULL CHECK (length(maker) BETWEEN 1 AND 100),
  model          text NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
  category       text NOT NULL CHECK (category IN ('pc', 'printer', 'scanner', 'terminal_adapter', 'storage', 'other')),
  -- a peripheral points at the PC it was found on (R-5)
  parent_id      bigint REFERENCES product_registrations(id),
  details        jsonb NOT NULL DEFAULT '{}',
  source         text NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_registrations_customer_idx ON product_registrations (customer_id);
CREATE INDEX product_registrations_category_idx ON product_registrations (category, registered_at DESC, id DESC);
CREATE INDEX product_registrations_model_idx ON product_registrations (model, registered_at DESC);
CREATE INDEX product_registrations_registered_idx ON product_registrations (registered_at DESC, id DESC);
CREATE INDEX product_registrations_parent_idx ON product_registrations (parent_id) WHERE parent_id IS NOT NULL;
