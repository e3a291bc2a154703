/**
 * The few words the dossiers page added for the charged figures (issue 14), Vietnamese first. Kept beside
 * the page rather than in web/i18n/*.json while that catalogue was being rewritten by another change;
 * the same shape (one record per language, the same keys) so they can move there as they are.
 */
import type { Lang } from '../i18n.js';

const vi = {
  charged_explained:
    'Theo dịch vụ và theo nhà cung cấp, mỗi hồ sơ chỉ tính phần sự cố của chính dịch vụ đó: lúc mạng của xã ' +
    'gián đoạn, toàn bộ thời gian ấy tính cho mạng của xã, không tính cho nhà cung cấp nào (như cách tính SLA); ' +
    'lúc khác, nếu nhiều dịch vụ cùng gián đoạn, thời gian được chia đều cho chúng; kết luận là về phần của họ.',
  outage_by_service: 'Sự cố theo dịch vụ',
};

const en: typeof vi = {
  charged_explained:
    'By service and by vendor, a dossier counts only that service’s share of its outage: while the commune ' +
    'network was down, all of that time is the network’s and no vendor’s (as in the SLA); at other times, ' +
    'when several services were down together, it is shared equally among them; the verdict is about their share.',
  outage_by_service: 'Outage by service',
};

const CATALOGUES: Record<Lang, typeof vi> = { vi, en };

/** The page's added words in `lang`. */
export function dossierText(lang: Lang, key: keyof typeof vi): string {
  return CATALOGUES[lang][key];
}
