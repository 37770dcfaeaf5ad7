/**
 * The area of an address for the per-area analysis: its prefecture. Card addresses come
 * as written ("大阪府大阪市北区…", "△△, Osaka"); both Japanese and romanised prefecture names
 * are recognised.
 */
const PREFECTURES: [string, string][] = [
  ['北海道', 'hokkaido'], ['青森県', 'aomori'], ['岩手県', 'iwate'], ['宮城県', 'miyagi'], ['秋田県', 'akita'],
  ['山形県', 'yamagata'], ['福島県', 'fukushima'], ['茨城県', 'ibaraki'], ['栃木県', 'tochigi'], ['群馬県', 'gunma'],
  ['埼玉県', 'saitama'], ['千葉県', 'chiba'], ['東京都', 'tokyo'], ['神奈川県', 'kanagawa'], ['新潟県', 'niigata'],
  ['富山県', 'toyama'], ['石川県', 'ishikawa'], ['福井県', 'fukui'], ['山梨県', 'yamanashi'], ['長野県', 'nagano'],
  ['岐阜県', 'gifu'], ['静岡県', 'shizuoka'], ['愛知県', 'aichi'], ['三重県', 'mie'], ['滋賀県', 'shiga'],
  ['京都府', 'kyoto'], ['大阪府', 'osaka'], ['兵庫県', 'hyogo'], ['奈良県', 'nara'], ['和歌山県', 'wakayama'],
  ['鳥取県', 'tottori'], ['島根県', 'shimane'], ['岡山県', 'okayama'], ['広島県', 'hiroshima'], ['山口県', 'yamaguchi'],
  ['徳島県', 'tokushima'], ['香川県', 'kagawa'], ['愛媛県', 'ehime'], ['高知県', 'kochi'], ['福岡県', 'fukuoka'],
  ['佐賀県', 'saga'], ['長崎県', 'nagasaki'], ['熊本県', 'kumamoto'], ['大分県', 'oita'], ['宮崎県', 'miyazaki'],
  ['鹿児島県', 'kagoshima'], ['沖縄県', 'okinawa'],
];

export const PREFECTURE_NAMES: readonly string[] = PREFECTURES.map(([ja]) => ja);

/** The prefecture an address names, and the rest of the address when it started with it. */
export function splitPrefecture(address: string): { prefecture: string | null; rest: string } {
  const text = address.normalize('NFKC').trim();
  for (const [ja] of PREFECTURES) {
    if (text.startsWith(ja)) return { prefecture: ja, rest: text.slice(ja.length).trim() };
  }
  // Without the suffix (大阪市… is not a prefecture, so only exact stems followed by a city name).
  for (const [ja] of PREFECTURES) {
    const stem = ja.replace(/[都府県]$/, '');
    if (ja !== '北海道' && stem !== '京都' && text.startsWith(stem) && !text.startsWith(`${stem}市`)) {
      return { prefecture: ja, rest: text.slice(stem.length).trim() };
    }
  }
  const words = text.toLowerCase().split(/[\s,、，]+/).map((w) => w.replace(/[-‐](ken|fu|to)$/, '').replace(/\.$/, ''));
  for (let i = words.length - 1; i >= 0; i--) {
    const hit = PREFECTURES.find(([, romaji]) => romaji === words[i] || `${romaji} prefecture` === words[i]);
    if (hit) return { prefecture: hit[0], rest: text };
  }
  return { prefecture: null, rest: text };
}
