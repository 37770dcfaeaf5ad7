import type { PersonalInput } from '../customers/index.js';
import type { FieldProblem } from '../../platform/errors.js';
import { REGISTRATION_FORM, type FormField } from './registration-form.js';
import type { CollateStatus, ProductInput, RegistrationRequest } from './registration.service.js';
import { canonicalSerial } from './serial.js';

/**
 * The registration dialogue led by the server (R-7, "the server asks for input"): the agent
 * sends what it found on the machine and the answers so far; the server answers with the next
 * question — or the same one again, saying what was wrong — until the request is complete.
 * Nothing is kept between calls: the agent holds the answers, so a lost connection loses
 * nothing and any server node can answer the next step.
 */
export interface DialogueAnswers {
  /** Serials the customer chose to register. */
  products?: string[];
  customer?: PersonalInput;
  emailConsent?: boolean;
  password?: string;
}

export interface ProductOption {
  value: string;
  label: string;
  status: CollateStatus;
  message: string;
  selectable: boolean;
}

export interface Question {
  /** Where the answer goes: `products`, `customer.<field>`, `emailConsent` or `password`. */
  key: string;
  type: 'choose' | FormField['type'] | 'yesno' | 'password';
  label: { ja: string; en: string };
  required: boolean;
  minLength?: number;
  maxLength?: number;
  options?: ProductOption[];
  /** The answer given so far, to offer as the default. */
  value?: string | boolean | string[];
  /** Why the answer given for this key was not accepted. */
  problem?: string;
}

export type DialogueStep =
  | { step: 'ask'; question: Question; answered: number; total: number }
  | { step: 'ready'; request: Extract<RegistrationRequest, { customer: PersonalInput }> }
  | { step: 'refused'; error: { code: string; message: string } };

type Collate = (products: Pick<ProductInput, 'serial'>[]) => Promise<{ serial: string; status: CollateStatus; message: string }[]>;

const PRODUCTS_LABEL = { ja: '登録する製品', en: 'Products to register' };
const PASSWORD_LABEL = {
  ja: `パスワード（${REGISTRATION_FORM.password.minLength}文字以上）`,
  en: `Password (at least ${REGISTRATION_FORM.password.minLength} characters)`,
};

/**
 * The next step for these answers. `products` has passed the registration's own checks;
 * `checkPersonal` validates personal fields as the customers module does.
 */
export async function nextDialogueStep(
  products: ProductInput[],
  answers: DialogueAnswers,
  deps: { collate: Collate; checkPersonal: (input: PersonalInput) => FieldProblem[] },
): Promise<DialogueStep> {
  const fields = REGISTRATION_FORM.fields;
  const customer = answers.customer ?? {};
  const wantsConsentQuestion = !!customer.email?.trim();
  const total = 1 + fields.length + (wantsConsentQuestion ? 1 : 0) + 1;
  let answered = 0;
  const ask = (question: Question): DialogueStep => ({ step: 'ask', question, answered, total });

  // 1. Which products: collated now, so a serial registered by someone else meanwhile is caught here.
  const collated = await deps.collate(products);
  const options: ProductOption[] = products.map((p, i) => ({
    value: collated[i]!.serial,
    label: `${p.maker} ${p.model} (S/N ${collated[i]!.serial})`,
    status: collated[i]!.status,
    message: collated[i]!.message,
    selectable: collated[i]!.status === 'available',
  }));
  if (!options.some((o) => o.selectable)) {
    return {
      step: 'refused',
      error: { code: 'nothing_to_register', message: 'None of these products can be registered: ' + options.map((o) => `${o.value}: ${o.message}`).join('; ') },
    };
  }
  const productsQuestion: Question = { key: 'products', type: 'choose', label: PRODUCTS_LABEL, required: true, options };
  if (answers.products === undefined) return ask(productsQuestion);
  const chosen = [...new Set(answers.products.map(canonicalSerial))];
  const refused = chosen.map((s) => options.find((o) => o.value === s) ?? { value: s, selectable: false, message: 'was not found on this machine' }).filter((o) => !o.selectable);
  if (chosen.length === 0) return ask({ ...productsQuestion, value: [], problem: 'Choose at least one product' });
  if (refused.length) return ask({ ...productsQuestion, value: chosen, problem: refused.map((o) => `${o.value}: ${o.message}`).join('; ') });
  answered++;

  // 2. Personal information, in the form's order.
  for (const field of fields) {
    const question: Question = { key: `customer.${field.name}`, type: field.type, label: field.label, required: field.required, maxLength: field.maxLength };
    const value = customer[field.name];
    if (value === undefined || value === null) return ask(question);
    if (field.required && !value.trim()) return ask({ ...question, value, problem: 'is required' });
    const problem = deps.checkPersonal({ [field.name]: value })[0];
    if (problem) return ask({ ...question, value, problem: problem.message });
    answered++;
  }

  // 3. Consent to e-mail, only when there is an address to send to; then the password.
  if (wantsConsentQuestion) {
    if (answers.emailConsent === undefined) return ask({ key: 'emailConsent', type: 'yesno', label: REGISTRATION_FORM.consent.email, required: true, value: false });
    answered++;
  }
  const passwordQuestion: Question = { key: 'password', type: 'password', label: PASSWORD_LABEL, required: true, minLength: REGISTRATION_FORM.password.minLength, maxLength: 200 };
  if (answers.password === undefined) return ask(passwordQuestion);
  if (answers.password.length < REGISTRATION_FORM.password.minLength) {
    return ask({ ...passwordQuestion, problem: `must have at least ${REGISTRATION_FORM.password.minLength} characters` });
  }

  const chosenSet = new Set(chosen);
  const request = products
    .map((p) => ({ ...p, serial: canonicalSerial(p.serial), parentSerial: p.parentSerial ? canonicalSerial(p.parentSerial) : null }))
    .filter((p) => chosenSet.has(p.serial))
    // A peripheral stays linked to its PC only when the PC is registered with it.
    .map((p) => ({ ...p, parentSerial: p.parentSerial && chosenSet.has(p.parentSerial) ? p.parentSerial : null }));
  const personal = Object.fromEntries(fields.map((f) => [f.name, customer[f.name] ?? ''])) as PersonalInput;
  return { step: 'ready', request: { customer: personal, password: answers.password, emailConsent: answers.emailConsent ?? false, products: request } };
}
