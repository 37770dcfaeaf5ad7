/**
 * Deterministic fake Japanese customers for demo data, tests and benchmarks. Names come with
 * their readings so kana search can be exercised; nothing here is a real person.
 */

const FAMILY: [string, string][] = [
  ['佐藤', 'さとう'], ['鈴木', 'すずき'], ['高橋', 'たかはし'], ['田中', 'たなか'], ['伊藤', 'いとう'],
  ['渡辺', 'わたなべ'], ['山本', 'やまもと'], ['中村', 'なかむら'], ['小林', 'こばやし'], ['加藤', 'かとう'],
  ['吉田', 'よしだ'], ['山田', 'やまだ'], ['佐々木', 'ささき'], ['山口', 'やまぐち'], ['松本', 'まつもと'],
  ['井上', 'いのうえ'], ['木村', 'きむら'], ['林', 'はやし'], ['斎藤', 'さいとう'], ['清水', 'しみず'],
  ['山崎', 'やまざき'], ['森', 'もり'], ['池田', 'いけだ'], ['橋本', 'はしもと'], ['阿部', 'あべ'],
  ['石川', 'いしかわ'], ['山下', 'やました'], ['中島', 'なかじま'], ['石井', 'いしい'], ['小川', 'おがわ'],
  ['前田', 'まえだ'], ['岡田', 'おかだ'], ['長谷川', 'はせがわ'], ['藤田', 'ふじた'], ['後藤', 'ごとう'],
  ['近藤', 'こんどう'], ['村上', 'むらかみ'], ['遠藤', 'えんどう'], ['青木', 'あおき'], ['坂本', 'さかもと'],
];
const GIVEN: [string, string][] = [
  ['太郎', 'たろう'], ['花子', 'はなこ'], ['翔太', 'しょうた'], ['陽菜', 'ひな'], ['大輝', 'だいき'],
  ['美咲', 'みさき'], ['健太', 'けんた'], ['さくら', 'さくら'], ['拓海', 'たくみ'], ['結衣', 'ゆい'],
  ['蓮', 'れん'], ['葵', 'あおい'], ['悠真', 'ゆうま'], ['凛', 'りん'], ['湊', 'みなと'],
  ['芽依', 'めい'], ['大和', 'やまと'], ['楓', 'かえで'], ['陸', 'りく'], ['彩花', 'あやか'],
  ['一郎', 'いちろう'], ['恵子', 'けいこ'], ['誠', 'まこと'], ['由美', 'ゆみ'], ['浩二', 'こうじ'],
  ['直子', 'なおこ'], ['和也', 'かずや'], ['真由美', 'まゆみ'], ['隆', 'たかし'], ['裕子', 'ゆうこ'],
];
const PLACES: [string, string, string][] = [
  ['東京都', '千代田区', '100-0001'], ['東京都', '世田谷区', '154-0001'], ['大阪府', '大阪市北区', '530-0001'],
  ['神奈川県', '横浜市中区', '231-0001'], ['愛知県', '名古屋市中区', '460-0001'], ['北海道', '札幌市中央区', '060-0001'],
  ['福岡県', '福岡市博多区', '812-0001'], ['京都府', '京都市左京区', '606-0001'], ['兵庫県', '神戸市中央区', '650-0001'],
  ['宮城県', '仙台市青葉区', '980-0001'],
];
const OCCUPATIONS = ['会社員', '公務員', '自営業', '学生', '主婦', 'エンジニア', '教員', '医師', '看護師', 'デザイナー', '無職'];

/** Mulberry32: small, fast, seedable; the same seed gives the same people. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FakePerson {
  name: string;
  name_reading: string;
  postal_code: string;
  prefecture: string;
  city: string;
  address_line1: string;
  address_line2: string;
  phone: string;
  birth_date: string;
  occupation: string;
  email: string;
  email_consent: string;
  postal_mail_consent: string;
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

/** The i-th fake person of a seeded sequence: unique e-mail and phone per index. */
export function fakePerson(rnd: () => number, index: number): FakePerson {
  const [family, familyReading] = pick(rnd, FAMILY);
  const [given, givenReading] = pick(rnd, GIVEN);
  const [prefecture, city, postal] = pick(rnd, PLACES);
  const year = 1940 + Math.floor(rnd() * 65);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  return {
    name: `${family} ${given}`,
    name_reading: `${familyReading} ${givenReading}`,
    postal_code: postal,
    prefecture,
    city,
    address_line1: `${1 + Math.floor(rnd() * 9)}-${1 + Math.floor(rnd() * 30)}-${1 + Math.floor(rnd() * 20)}`,
    address_line2: rnd() < 0.3 ? `メゾン${pick(rnd, ['桜', '欅', '楓', '椿'])} ${100 + Math.floor(rnd() * 900)}号室` : '',
    phone: `0${70 + Math.floor(rnd() * 20)}-${String(index % 10000).padStart(4, '0')}-${String(Math.floor(index / 10000) % 10000).padStart(4, '0')}`,
    birth_date: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    occupation: pick(rnd, OCCUPATIONS),
    email: `user${index}.${Math.floor(rnd() * 1e6)}@example.jp`,
    email_consent: rnd() < 0.7 ? 'true' : 'false',
    postal_mail_consent: rnd() < 0.5 ? 'true' : 'false',
  };
}

export const FAKE_FAMILY_NAMES = FAMILY;
export const FAKE_GIVEN_NAMES = GIVEN;
