// Every user-visible string of the console, in one dictionary. Keys are stable; {name} placeholders are
// filled by t(). Elements carrying data-i18n (text) or data-i18n-attr ("attr:key;attr:key") are
// re-translated when the language changes.

export const dictionary = {
  en: {
    appTitle: 'Call Taxi',
    skipToContent: 'Skip to content',
    language: 'Language',
    languageToggle: '한국어',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signInTitle: 'Sign in',
    signInLocalHint: 'Local cloud: pick a role and any user name.',
    signInCognito: 'Sign in with your account',
    signInCognitoHint: 'You will be sent to the sign-in page and back.',
    signInFailed: 'Sign-in failed: {message}',
    signUpTitle: 'New here?',
    signUp: 'Sign up',
    signUpLocalHint: 'Local cloud: sign up with any e-mail address; you become a customer.',
    signUpCognitoHint: 'Create an account; once your e-mail address is confirmed you can book taxis.',
    email: 'E-mail',
    signUpFailed: 'Sign-up failed: {message}',
    role: 'Role',
    userName: 'User name',
    roleCustomer: 'Customer',
    roleManager: 'Manager',
    roleDriver: 'Driver',
    signedInAs: 'Signed in as {name}',
    views: 'Views',
    loading: 'Loading…',
    // customer: booking
    bookTitle: 'Book a taxi',
    grade: 'Grade',
    grade_basic: 'Basic',
    grade_prime: 'Prime',
    grade_platinum: 'Platinum',
    fareEstimate: 'from {fare}',
    fareNote: 'The final fare is set by the server when you book.',
    pickup: 'Pickup',
    destination: 'Destination',
    destinationOptional: 'Destination (optional)',
    noteOptional: 'Note for the driver (optional)',
    noteHint: 'E.g. gate number, luggage, a child seat.',
    note: 'Note',
    pickupTime: 'Pickup time',
    asap: 'As soon as possible',
    scheduleLater: 'At a set time',
    pickupAt: 'Date and time',
    pickupAtHint: 'Your local time, from 10 minutes to 7 days ahead.',
    pickupInvalid: 'Enter a date and a time.',
    pickupTooSoon: 'Choose a time at least 10 minutes from now.',
    pickupTooLate: 'Choose a time at most 7 days ahead.',
    smsLanguage: 'Text messages in',
    langName_en: 'English',
    langName_ko: '한국어',
    when: 'When',
    name: 'Name',
    phone: 'Mobile phone',
    phoneHint: 'International format, e.g. +821012345678',
    cardNo: 'Card number',
    cardHint: 'Test cards: 4111 1111 1111 1111 approves, 4000 0000 0000 0002 is declined.',
    paymentDeclined: 'The card was declined ({reason}).',
    useAnotherCard: 'Payment failed. Please use another card.',
    book: 'Book',
    booking: 'Booking…',
    booked: 'Booked: {grade}, {fare} charged to {brand} •••• {last4}.',
    paymentBusy: 'Payment is busy, retrying in {seconds} s',
    paymentGaveUp: 'Payment is still busy. Please try again later.',
    fixErrors: 'Please correct the highlighted field.',
    required: 'Required',
    // customer: bookings
    myBookings: 'My bookings',
    noBookings: 'No bookings yet.',
    bookingFor: 'Booking {id}',
    fare: 'Fare',
    taxi: 'Taxi',
    timeline: 'Timeline',
    cancel: 'Cancel booking',
    cancelConfirmTitle: 'Cancel this booking?',
    cancelConfirmBody: 'The fare of {fare} will be refunded to your card.',
    cancelConfirmYes: 'Yes, cancel it',
    cancelConfirmNo: 'Keep it',
    canceled: 'Booking {id} was canceled.',
    customerRejected: 'The last taxi could not take this booking ({reason}). The company is choosing another.',
    status_PICKED_UP: 'Picked up',
    status_COMPLETED: 'Completed',
    status_PAID: 'Paid',
    status_RESERVED: 'Reserved',
    status_CONFIRMED: 'Confirmed',
    status_CANCELED: 'Canceled',
    status_REQUESTED: 'Requested',
    status_ASSIGNING: 'Assigning',
    // manager
    reservationsTitle: 'Reservations',
    reservationStatus: 'Reservation status',
    noReservations: 'No reservations in this state.',
    reservation: 'Reservation {id}',
    order: 'Order',
    created: 'Created',
    attempt: 'Assignment attempts',
    rejected: 'Last assignment was rejected: {reason}',
    assignTaxi: 'Taxi for {id}',
    chooseTaxi: 'Choose a taxi',
    taxiOption: '{name} · {company} ({available} available)',
    noTaxis: 'No {grade} taxi is registered.',
    assign: 'Assign',
    assignSent: 'Assignment of {taxi} to {id} sent.',
    boardSorted: 'Sorted by pickup time, as soon as possible first.',
    pickupDate: 'Pickup date',
    pickupDateHint: 'Empty shows every date.',
    allDates: 'All dates',
    customer: 'Customer',
    contact: 'Contact',
    callCustomer: 'Call {name}',
    // driver
    driverTitle: 'My taxis',
    registerTaxi: 'Register a taxi',
    taxiName: 'Taxi name',
    companyName: 'Company',
    itemPrice: 'Price (KRW)',
    itemPriceHint: 'Your listed price per ride.',
    stockInvalid: 'Enter a whole number from 0 to 10000.',
    available: 'Available',
    stockCnt: 'Available cars',
    register: 'Register',
    registered: 'Taxi {name} registered.',
    noTaxisOwned: 'You have no taxi yet.',
    save: 'Save',
    saved: '{name}: {count} available.',
    availableFor: 'Available cars of {name}',
    assignmentsTitle: 'My rides',
    assignmentsHint: 'Bookings assigned to your taxis, upcoming first.',
    noAssignments: 'No ride is assigned to your taxis.',
    markPickedUp: 'Picked up',
    markCompleted: 'Completed',
    markedPickedUp: 'Ride {id}: passenger picked up.',
    markedCompleted: 'Ride {id} completed; {taxi} is available again.',
    // local panel
    localTitle: 'Local cloud',
    smsInbox: 'SMS inbox',
    noSms: 'No SMS sent yet.',
    functions: 'Functions',
    fnName: 'Function',
    fnEnvironments: 'Environments',
    fnInvocations: 'Invocations',
    fnThrottles: 'Throttles',
    fnErrors: 'Errors',
    fnColdStarts: 'Cold starts',
    fnState: 'State',
    fnRunning: 'running',
    fnThrottled: 'throttled',
    fnFailing: 'failing',
    fnHint: 'Stop throttles every invoke (reserved concurrency 0); Fail makes every invocation a function error; Start restores it.',
    stop: 'Stop',
    start: 'Start',
    stopFn: 'Stop {name}',
    startFn: 'Start {name}',
    fail: 'Fail',
    failFn: 'Fail {name}',
    // errors
    error: 'Error: {message}',
    networkError: 'The server could not be reached. Check your connection.',
    sessionExpired: 'Your session expired. Please sign in again.',
    forbidden: 'You are not allowed to do this.',
  },
  ko: {
    appTitle: '콜택시',
    skipToContent: '본문으로 건너뛰기',
    language: '언어',
    languageToggle: 'English',
    signIn: '로그인',
    signOut: '로그아웃',
    signInTitle: '로그인',
    signInLocalHint: '로컬 클라우드: 역할과 사용자 이름을 자유롭게 고르세요.',
    signInCognito: '계정으로 로그인',
    signInCognitoHint: '로그인 페이지로 이동한 뒤 돌아옵니다.',
    signInFailed: '로그인 실패: {message}',
    signUpTitle: '처음이신가요?',
    signUp: '회원가입',
    signUpLocalHint: '로컬 클라우드: 아무 이메일 주소로 가입하면 고객이 됩니다.',
    signUpCognitoHint: '계정을 만드세요. 이메일 주소가 확인되면 택시를 예약할 수 있습니다.',
    email: '이메일',
    signUpFailed: '회원가입 실패: {message}',
    role: '역할',
    userName: '사용자 이름',
    roleCustomer: '고객',
    roleManager: '관리자',
    roleDriver: '기사',
    signedInAs: '{name}(으)로 로그인됨',
    views: '화면',
    loading: '불러오는 중…',
    bookTitle: '택시 예약',
    grade: '등급',
    grade_basic: '일반',
    grade_prime: '프라임',
    grade_platinum: '플래티넘',
    fareEstimate: '{fare}부터',
    fareNote: '최종 요금은 예약할 때 서버가 정합니다.',
    pickup: '출발지',
    destination: '도착지',
    destinationOptional: '도착지(선택)',
    noteOptional: '기사님께 전할 말(선택)',
    noteHint: '예: 출입구 번호, 짐, 유아용 카시트.',
    note: '요청 사항',
    pickupTime: '탑승 시각',
    asap: '지금 바로',
    scheduleLater: '시간 지정',
    pickupAt: '날짜와 시각',
    pickupAtHint: '현지 시각 기준, 10분 후부터 7일 이내.',
    pickupInvalid: '날짜와 시각을 입력하세요.',
    pickupTooSoon: '지금부터 10분 이후의 시각을 고르세요.',
    pickupTooLate: '7일 이내의 시각을 고르세요.',
    smsLanguage: '문자 언어',
    langName_en: 'English',
    langName_ko: '한국어',
    when: '탑승 시각',
    name: '이름',
    phone: '휴대폰 번호',
    phoneHint: '국제 형식, 예: +821012345678',
    cardNo: '카드 번호',
    cardHint: '테스트 카드: 4111 1111 1111 1111 승인, 4000 0000 0000 0002 거절.',
    paymentDeclined: '카드 결제가 거절되었습니다 ({reason}).',
    useAnotherCard: '결제에 실패했습니다. 다른 카드를 사용해 주세요.',
    book: '예약하기',
    booking: '예약 중…',
    booked: '예약 완료: {grade}, {fare}이(가) {brand} •••• {last4} 카드로 결제되었습니다.',
    paymentBusy: '결제가 혼잡합니다. {seconds}초 후 다시 시도합니다',
    paymentGaveUp: '결제가 계속 혼잡합니다. 잠시 후 다시 시도해 주세요.',
    fixErrors: '표시된 항목을 고쳐 주세요.',
    required: '필수 항목',
    myBookings: '내 예약',
    noBookings: '아직 예약이 없습니다.',
    bookingFor: '예약 {id}',
    fare: '요금',
    taxi: '택시',
    timeline: '진행 기록',
    cancel: '예약 취소',
    cancelConfirmTitle: '이 예약을 취소할까요?',
    cancelConfirmBody: '요금 {fare}이(가) 카드로 환불됩니다.',
    cancelConfirmYes: '네, 취소합니다',
    cancelConfirmNo: '유지',
    canceled: '예약 {id}이(가) 취소되었습니다.',
    customerRejected: '직전 택시가 이 예약을 받을 수 없었습니다({reason}). 회사가 다른 택시를 고르고 있습니다.',
    status_PICKED_UP: '탑승',
    status_COMPLETED: '운행 완료',
    status_PAID: '결제됨',
    status_RESERVED: '예약 접수',
    status_CONFIRMED: '배차 확정',
    status_CANCELED: '취소됨',
    status_REQUESTED: '요청됨',
    status_ASSIGNING: '배차 중',
    reservationsTitle: '예약 관리',
    reservationStatus: '예약 상태',
    noReservations: '이 상태의 예약이 없습니다.',
    reservation: '예약 {id}',
    order: '주문',
    created: '생성',
    attempt: '배차 시도',
    rejected: '직전 배차가 거절되었습니다: {reason}',
    assignTaxi: '{id}에 배차할 택시',
    chooseTaxi: '택시 선택',
    taxiOption: '{name} · {company} ({available}대 가능)',
    noTaxis: '등록된 {grade} 택시가 없습니다.',
    assign: '배차',
    assignSent: '{taxi} 택시를 {id}에 배차 요청했습니다.',
    boardSorted: '탑승 시각순, 지금 바로 호출이 먼저입니다.',
    pickupDate: '탑승 날짜',
    pickupDateHint: '비워 두면 모든 날짜를 보여 줍니다.',
    allDates: '모든 날짜',
    customer: '고객',
    contact: '연락처',
    callCustomer: '{name}에게 전화',
    driverTitle: '내 택시',
    registerTaxi: '택시 등록',
    taxiName: '택시 이름',
    companyName: '회사',
    itemPrice: '가격(원)',
    itemPriceHint: '운행당 등록 가격입니다.',
    stockInvalid: '0부터 10000 사이의 정수를 입력하세요.',
    available: '가능',
    stockCnt: '가능 대수',
    register: '등록',
    registered: '{name} 택시가 등록되었습니다.',
    noTaxisOwned: '등록한 택시가 없습니다.',
    save: '저장',
    saved: '{name}: {count}대 가능.',
    availableFor: '{name}의 가능 대수',
    assignmentsTitle: '내 운행',
    assignmentsHint: '내 택시에 배차된 예약, 가까운 시각순.',
    noAssignments: '내 택시에 배차된 운행이 없습니다.',
    markPickedUp: '탑승 완료',
    markCompleted: '운행 완료',
    markedPickedUp: '운행 {id}: 승객이 탑승했습니다.',
    markedCompleted: '운행 {id} 완료. {taxi} 택시를 다시 배차할 수 있습니다.',
    localTitle: '로컬 클라우드',
    smsInbox: 'SMS 수신함',
    noSms: '보낸 SMS가 없습니다.',
    functions: '함수',
    fnName: '함수',
    fnEnvironments: '실행 환경',
    fnInvocations: '호출',
    fnThrottles: '스로틀',
    fnErrors: '오류',
    fnColdStarts: '콜드 스타트',
    fnState: '상태',
    fnRunning: '실행 중',
    fnThrottled: '스로틀됨',
    fnFailing: '오류 발생 중',
    fnHint: '중지는 모든 호출을 스로틀(예약 동시성 0)하고, 실패는 모든 호출을 함수 오류로 만들며, 시작은 되돌립니다.',
    stop: '중지',
    start: '시작',
    stopFn: '{name} 중지',
    startFn: '{name} 시작',
    fail: '실패',
    failFn: '{name} 실패시키기',
    error: '오류: {message}',
    networkError: '서버에 연결할 수 없습니다. 연결을 확인해 주세요.',
    sessionExpired: '세션이 만료되었습니다. 다시 로그인해 주세요.',
    forbidden: '이 작업을 할 권한이 없습니다.',
  },
};

export const languages = Object.keys(dictionary);

const storageKey = 'calltaxi.lang';
let current = 'en';
const listeners = new Set();

/** Picks the saved language, else the browser's, else English. */
export function initialLanguage(saved, browserLanguages) {
  if (saved && dictionary[saved]) return saved;
  for (const tag of browserLanguages ?? []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (dictionary[base]) return base;
  }
  return 'en';
}

export function lang() {
  return current;
}

/** Translates key in the current language, filling {placeholders} from vars. Unknown keys show as-is. */
export function t(key, vars = {}) {
  const text = dictionary[current][key] ?? dictionary.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function formatKRW(amount) {
  return new Intl.NumberFormat(current === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency: 'KRW' }).format(amount);
}

export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

/** A pickup time: weekday, date and time to the minute; null/absent means as soon as possible. */
export function formatPickup(iso) {
  if (!iso) return t('asap');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  }).format(date);
}

export function setLanguage(next) {
  if (!dictionary[next]) return;
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // storage may be disabled; the choice then lasts for this page only
  }
  document.documentElement.lang = next;
  translateTree(document);
  for (const fn of listeners) fn(next);
}

/** Calls fn(language) after every language change; returns the function that stops it. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function startI18n() {
  let saved = null;
  try {
    saved = localStorage.getItem(storageKey);
  } catch {
    saved = null;
  }
  setLanguage(initialLanguage(saved, navigator.languages?.length ? navigator.languages : [navigator.language]));
}

/** Applies data-i18n and data-i18n-attr under root. */
export function translateTree(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}
