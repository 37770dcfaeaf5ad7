import { Type, type Static } from '@sinclair/typebox';

const Text = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

export const PersonalInputSchema = Type.Object(
  {
    name: Type.Optional(Text(100)),
    nameReading: Type.Optional(Text(100)),
    postalCode: Type.Optional(Text(20)),
    prefecture: Type.Optional(Text(50)),
    city: Type.Optional(Text(100)),
    addressLine1: Type.Optional(Text(200)),
    addressLine2: Type.Optional(Text(200)),
    phone: Type.Optional(Text(30)),
    birthDate: Type.Optional(Text(10)),
    occupation: Type.Optional(Text(100)),
    email: Type.Optional(Text(254)),
    nickname: Type.Optional(Text(50)),
  },
  { additionalProperties: false },
);
export type PersonalInputBody = Static<typeof PersonalInputSchema>;

const Nullable = Type.Union([Type.String(), Type.Null()]);
const Consent = Type.Union([
  Type.Object({ granted: Type.Boolean(), at: Type.String(), source: Type.String(), surface: Type.String() }),
  Type.Null(),
]);

export const IdentifierKindSchema = Type.Union(
  ['registration_no', 'product_serial', 'member_card', 'card_uid', 'appliance_mfg_no', 'web_user_id', 'web_anonymous_id', 'email', 'phone'].map(
    (k) => Type.Literal(k),
  ),
);

export const IdentifierSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  value: Type.String(),
  source: Type.String(),
  createdAt: Type.String(),
});

export const CustomerSchema = Type.Object({
  customerNumber: Type.String(),
  registrationNo: Type.String(),
  registrationNoFormatted: Type.String(),
  status: Type.String(),
  mergedInto: Nullable,
  rank: Type.String(),
  hasPortalPassword: Type.Boolean(),
  personal: Type.Object({
    name: Nullable,
    nameReading: Nullable,
    postalCode: Nullable,
    prefecture: Nullable,
    city: Nullable,
    addressLine1: Nullable,
    addressLine2: Nullable,
    phone: Nullable,
    birthDate: Nullable,
    occupation: Nullable,
    email: Nullable,
    nickname: Nullable,
  }),
  identifiers: Type.Array(IdentifierSchema),
  consent: Type.Object({ email: Consent, postalMail: Consent }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  erasedAt: Nullable,
});

export const CustomerSummarySchema = Type.Object({
  customerNumber: Type.String(),
  registrationNo: Type.String(),
  registrationNoFormatted: Type.String(),
  name: Nullable,
  nameReading: Nullable,
  email: Nullable,
  phone: Nullable,
  status: Type.String(),
  matchedOn: Type.Optional(
    Type.String({
      description:
        'Why a search returned this customer: identifier, number, phone, email, name, or name_typo (a name one character away from the query).',
    }),
  ),
});

export const CounterViewSchema = Type.Object({
  customerNumber: Type.String(),
  registrationNoFormatted: Type.String(),
  name: Nullable,
  nameReading: Nullable,
  nickname: Nullable,
  rank: Type.String(),
  status: Type.String(),
});

export const CustomerNumberParams = Type.Object(
  { customerNumber: Type.String({ minLength: 1, maxLength: 20, pattern: '^[0-9０-９ -]+$' }) },
  { additionalProperties: false },
);

export const ConsentBodySchema = Type.Object(
  {
    channel: Type.Union([Type.Literal('email'), Type.Literal('postal_mail')]),
    granted: Type.Boolean(),
    source: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.Object({ type: Type.String(), id: Nullable, label: Nullable }),
  surface: Type.String(),
  action: Type.String(),
  before: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  after: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

export const ConsentEventSchema = Type.Object({
  id: Type.Integer(),
  channel: Type.String(),
  granted: Type.Boolean(),
  source: Type.String(),
  surface: Type.String(),
  at: Type.String(),
});

/** A customer export is a free-form document; its top-level keys are listed in the README. */
export const ExportSchema = Type.Object({}, { additionalProperties: true });
