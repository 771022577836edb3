"""Clean news articles in many languages and scripts, written for this fixture drop (not crawled).

Each entry: ISO 639-1 code of the language, breadcrumb parts (sections..., publisher;
empty for a file without breadcrumb), headline, paragraphs. make_fixtures.py
turns each into a raw file carrying one kind of mess; the text here is what the
pipeline must give back.
"""
from __future__ import annotations

from typing import NamedTuple


class Article(NamedTuple):
    language: str
    crumb: list[str]
    title: str
    paragraphs: list[str]


ARTICLES: dict[str, Article] = {
    "swahili": Article(
        "sw", ["Habari", "Kitaifa", "Taifa Leo"],
        "Wakulima wa chai walalamikia bei ndogo",
        [
            "Wakulima wa chai katika kaunti za Kericho na Bomet wamelalamikia bei ndogo ya majani mabichi, "
            "wakisema kwamba gharama ya mbolea imepanda mara mbili tangu mwaka jana.",
            "Mwenyekiti wa chama cha wakulima, Bw Joseph Langat, aliwaambia wanahabari mjini Kericho kwamba "
            "wengi wao wanafikiria kung'oa mimea yao na kupanda mahindi badala yake.",
            "Serikali imeahidi kupitia upya sheria ya sekta ya chai ili kuhakikisha kwamba wakulima wadogo "
            "wanapata sehemu kubwa zaidi ya mapato kutoka kwa minada ya Mombasa.",
        ],
    ),
    "indonesian": Article(
        "id", ["Ekonomi", "Kompas"],
        "Mengapa harga beras terus naik?",
        [
            "Harga beras di sejumlah pasar tradisional di Jakarta naik hingga sepuluh persen dalam dua minggu "
            "terakhir, menjelang musim kemarau yang diperkirakan lebih panjang dari biasanya.",
            "Kepala Badan Pangan Nasional mengatakan pemerintah akan menyalurkan cadangan beras ke daerah-daerah "
            "yang mengalami kenaikan harga paling tinggi mulai pekan depan.",
            "Para pedagang mengaku pasokan dari Jawa Tengah berkurang karena banyak petani yang menunda panen "
            "akibat cuaca yang tidak menentu.",
        ],
    ),
    "malay": Article(
        "ms", ["Berita", "Nasional", "Berita Harian"],
        "Kerajaan umum bantuan tunai untuk nelayan",
        [
            "Kerajaan hari ini mengumumkan bantuan tunai sebanyak RM500 kepada setiap nelayan pantai timur yang "
            "terjejas akibat musim tengkujuh, menurut kenyataan Kementerian Pertanian.",
            "Menteri berkenaan berkata bantuan itu akan disalurkan melalui Lembaga Kemajuan Ikan Malaysia "
            "sebelum hujung bulan ini dan permohonan boleh dibuat secara dalam talian.",
            "Persatuan nelayan di Kuala Terengganu menyambut baik langkah itu tetapi meminta supaya jumlahnya "
            "dinaikkan kerana kos bahan api dan peralatan semakin meningkat.",
        ],
    ),
    "norwegian": Article(
        "no", ["Nyheter", "Innenriks", "Aftenposten"],
        "Regjeringen vil bygge ut mer vindkraft til havs…",
        [
            "Regjeringen la fredag fram en plan om å tildele nye områder for havvind i Nordsjøen, og målet er "
            "at utbyggingen skal gi strøm til industrien i Vestland innen 2035.",
            "Olje- og energiministeren sa på en pressekonferanse i Oslo at staten vil dekke deler av kostnadene "
            "for tilknytningen til strømnettet på land.",
            "Fiskarlaget er kritisk og mener at fiskeriene ikke er blitt hørt godt nok før områdene ble valgt ut.",
        ],
    ),
    "danish": Article(
        "da", ["Indland", "Politiken"],
        "Folketinget vedtager ny lov om boligstøtte.",
        [
            "Et flertal i Folketinget stemte torsdag for en ny lov, der hæver boligstøtten til pensionister og "
            "studerende med lave indkomster fra næste år.",
            "Socialministeren sagde efter afstemningen, at loven vil hjælpe omkring 80.000 husstande, som har "
            "haft svært ved at betale huslejen, efter at priserne på el og varme steg.",
            "Oppositionen mener, at ordningen er for dyr, og at pengene hellere burde bruges på at bygge flere "
            "almene boliger i de store byer.",
        ],
    ),
    "croatian": Article(
        "hr", ["Vijesti", "Hrvatska", "Večernji list"],
        "Ministar: „Mirovine rastu od srpnja“",
        [
            "Vlada je na današnjoj sjednici najavila da će se mirovine od srpnja povećati za četiri posto, što "
            "će osjetiti više od milijun umirovljenika diljem Hrvatske.",
            "Ministar rada i mirovinskoga sustava rekao je novinarima u Zagrebu kako je povećanje moguće zahvaljujući "
            "rastu plaća i većim uplatama doprinosa tijekom prošle godine.",
            "Sindikat umirovljenika pozdravio je odluku, ali upozorava da cijene hrane i energije i dalje rastu "
            "brže od mirovina.",
        ],
    ),
    "serbian": Article(
        "sr", ["Вести", "Друштво", "Политика"],
        "Београд добија нову линију метроа до 2030. године",
        [
            "Градоначелник Београда изјавио је у понедељак да ће радови на првој линији метроа почети ове "
            "године, а да се завршетак очекује пре краја деценије.",
            "Према његовим речима, траса ће повезати Железник са Миријевом и имаће двадесет станица, од којих "
            "ће већина бити под земљом.",
            "Стручњаци из Саобраћајног института упозоравају да ће гужве у центру града током изградње бити "
            "веће него икада раније.",
        ],
    ),
    "bosnian": Article(
        "bs", ["Vijesti", "BiH", "Oslobođenje"],
        "Sarajevo dobija novi tramvajski vozni park",
        [
            "Kanton Sarajevo potpisao je ugovor o nabavci petnaest novih tramvaja, koji bi trebali stići u "
            "glavni grad Bosne i Hercegovine do kraja iduće godine.",
            "Premijer Kantona kazao je da će novi tramvaji zamijeniti vozila koja su u upotrebi više od četrdeset "
            "godina i koja se često kvare, naročito tokom zime.",
            "Građani su posljednjih mjeseci u više navrata protestovali zbog čestih kašnjenja javnog prevoza i "
            "prepunih vozila u jutarnjim satima.",
        ],
    ),
    "persian": Article(
        "fa", ["اقتصاد", "همشهری"],
        "بانک مرکزی نرخ سود سپرده‌ها را افزایش داد",
        [
            "بانک مرکزی روز شنبه اعلام کرد که سقف نرخ سود سپرده‌های یک‌ساله را برای مهار تورم دو درصد افزایش "
            "می‌دهد و این تصمیم از ابتدای ماه آینده اجرا خواهد شد.",
            "رئیس کل بانک مرکزی در گفت‌وگو با خبرنگاران در تهران گفت که هدف این سیاست کاهش نقدینگی و تقویت "
            "ارزش پول ملی است.",
            "برخی از کارشناسان اقتصادی هشدار داده‌اند که افزایش نرخ سود می‌تواند هزینه وام‌های تولیدی را بالا "
            "ببرد و رشد اقتصادی را کند کند.",
        ],
    ),
    "urdu": Article(
        "ur", ["جنگ"],
        "کراچی میں بارش کے بعد کئی علاقے زیر آب۔",
        [
            "کراچی میں گزشتہ رات ہونے والی موسلا دھار بارش کے بعد شہر کے کئی نشیبی علاقے زیر آب آگئے اور "
            "بجلی کی فراہمی متاثر ہوئی۔",
            "محکمہ موسمیات کے مطابق آئندہ دو دنوں میں مزید بارش کا امکان ہے جبکہ شہریوں کو غیر ضروری سفر سے "
            "گریز کرنے کی ہدایت کی گئی ہے۔",
            "میئر کراچی نے کہا کہ نکاسی آب کے لیے اضافی مشینری شہر کے مختلف حصوں میں بھیج دی گئی ہے۔",
        ],
    ),
    "polish": Article(
        "pl", ["Kraj", "Gazeta Wyborcza"],
        "Źródła wody pitnej w Łodzi pod ścisłą kontrolą",
        [
            "Sanepid w Łodzi zaostrzył kontrolę ujęć wody pitnej po tym, jak w trzech dzielnicach wykryto "
            "podwyższony poziom bakterii. Mieszkańcy mają gotować wodę przed spożyciem.",
            "Prezydent miasta zapewniła na konferencji prasowej, że wodociągi dostarczą beczkowozy do szkół, "
            "przedszkoli i szpitali już w czwartek rano.",
            "Według służb sanitarnych przyczyną skażenia mogła być awaria sieci po intensywnych opadach deszczu "
            "w zeszłym tygodniu.",
        ],
    ),
    "czech": Article(
        "cs", ["Domácí", "Lidové noviny"],
        "Vláda schválila zvýšení platů učitelů",
        [
            "Vláda ve středu schválila návrh, podle kterého se platy učitelů od září zvýší v průměru o sedm "
            "procent. Ministr školství řekl, že peníze jsou již v rozpočtu.",
            "Odbory kritizují, že zvýšení nepokryje loňskou inflaci, a žádají, aby se příští rok platy "
            "dostaly na úroveň sto třiceti procent průměrné mzdy.",
            "Ředitelé škol upozorňují, že v některých krajích stále chybí stovky kvalifikovaných učitelů, "
            "zejména v matematice a fyzice.",
        ],
    ),
    "turkish": Article(
        "tr", ["Gündem", "Hürriyet"],
        "İstanbul'da sel nedeniyle iki mahalle boşaltıldı",
        [
            "İstanbul'da dün gece etkili olan sağanak yağış nedeniyle dere yatakları taştı ve Başakşehir'deki "
            "iki mahallede yaşayan yüzlerce kişi güvenli bölgelere taşındı.",
            "Valilik açıklamasında, ekiplerin sabaha kadar çalıştığı ve can kaybı yaşanmadığı belirtildi. "
            "Okullar bugün ilçede tatil edildi.",
            "Meteoroloji Genel Müdürlüğü, yağışların hafta sonuna kadar sürebileceği konusunda uyarıda "
            "bulunarak vatandaşlardan dikkatli olmalarını istedi.",
        ],
    ),
    "greek": Article(
        "el", ["Ελλάδα", "Κοινωνία", "Η Καθημερινή"],
        "Νέα μέτρα για την αντιμετώπιση της λειψυδρίας στις Κυκλάδες",
        [
            "Η κυβέρνηση ανακοίνωσε την Τρίτη νέα μέτρα για τη λειψυδρία στα νησιά των Κυκλάδων, όπου οι "
            "δεξαμενές βρίσκονται στο χαμηλότερο επίπεδο των τελευταίων δέκα ετών.",
            "Σύμφωνα με το υπουργείο, θα εγκατασταθούν έξι νέες μονάδες αφαλάτωσης πριν από την έναρξη της "
            "τουριστικής περιόδου, με χρηματοδότηση από το Ταμείο Ανάκαμψης.",
            "Οι δήμαρχοι των νησιών ζητούν επίσης αυστηρότερους ελέγχους στις γεωτρήσεις που γίνονται χωρίς άδεια.",
        ],
    ),
    "lithuanian": Article(
        "lt", ["Lietuvoje", "Delfi"],
        "Vilniuje atidarytas naujas vaikų ligoninės korpusas",
        [
            "Vilniuje pirmadienį atidarytas naujas vaikų ligoninės korpusas, kuriame įrengta šešiasdešimt "
            "lovų ir modernus intensyviosios terapijos skyrius.",
            "Sveikatos apsaugos ministrė žurnalistams sakė, kad statybos kainavo beveik trisdešimt milijonų "
            "eurų, o didžiąją dalį lėšų skyrė Europos Sąjunga.",
            "Gydytojai tikisi, kad naujasis korpusas sutrumpins eiles planinėms operacijoms, kurių kai kurie "
            "pacientai laukia ilgiau nei pusmetį.",
        ],
    ),
    "russian": Article(
        "ru", ["Общество", "Коммерсантъ"],
        "Правительство продлило программу льготной ипотеки",
        [
            "Правительство России продлило программу льготной ипотеки для семей с детьми ещё на два года, "
            "сообщила во вторник пресс-служба кабинета министров.",
            "По словам министра финансов, ставка по кредитам останется на уровне шести процентов, а "
            "максимальная сумма займа в крупных городах будет увеличена.",
            "Аналитики считают, что решение поддержит строительную отрасль, но может привести к дальнейшему "
            "росту цен на жильё.",
        ],
    ),
    "ukrainian": Article(
        "uk", ["Новини", "Суспільство", "Українська правда"],
        "У Києві відновили рух на мосту Патона",
        [
            "У Києві після тривалого ремонту відновили рух громадського транспорту на мосту Патона, повідомили "
            "в міській державній адміністрації.",
            "За словами заступника міського голови, ремонтні роботи на мосту тривали понад рік і коштували "
            "місту майже пів мільярда гривень.",
            "Водіїв попереджають, що до кінця місяця на лівому березі ще можливі обмеження руху.",
        ],
    ),
    "french": Article(
        "fr", ["Société", "Le Monde"],
        "Grève des contrôleurs aériens : des centaines de vols annulés",
        [
            "La Direction générale de l’aviation civile a demandé jeudi aux compagnies de réduire d’un tiers "
            "leurs vols à Paris-Orly et à Marseille en raison d’une grève des contrôleurs aériens.",
            "« Nous regrettons la gêne occasionnée pour les voyageurs », a déclaré le ministre des transports, "
            "qui a appelé les syndicats à reprendre le dialogue dès vendredi.",
            "Les syndicats réclament des recrutements supplémentaires et une revalorisation des salaires, "
            "gelés depuis trois ans selon eux.",
        ],
    ),
    "spanish": Article(
        "es", ["España", "El País"],
        "El Gobierno aprueba la reforma de las pensiones",
        [
            "El Consejo de Ministros aprobó este martes la reforma de las pensiones, que eleva de forma "
            "progresiva las cotizaciones de los salarios más altos a partir del próximo año.",
            "La ministra de Seguridad Social aseguró en rueda de prensa que la medida garantiza la "
            "sostenibilidad del sistema sin recortar la cuantía de las pensiones.",
            "La patronal critica que el aumento de las cotizaciones encarecerá la contratación, mientras que "
            "los sindicatos celebran el acuerdo.",
        ],
    ),
    "german": Article(
        "de", ["Politik", "Inland", "Süddeutsche Zeitung"],
        "Bundestag beschließt Reform des Bürgergelds",
        [
            "Der Bundestag hat am Freitag mit den Stimmen der Koalition eine Reform des Bürgergelds "
            "beschlossen. Künftig sollen Leistungsempfänger schneller in Arbeit vermittelt werden.",
            "Der Arbeitsminister sagte in der Debatte, die Änderungen seien „fair und notwendig“. Die Opposition "
            "kritisierte dagegen, die Reform gehe nicht weit genug.",
            "Sozialverbände warnen, dass strengere Regeln vor allem Familien mit Kindern treffen könnten.",
        ],
    ),
    "portuguese": Article(
        "pt", ["Brasil", "Folha de S.Paulo"],
        "Seca no Amazonas isola comunidades ribeirinhas",
        [
            "A seca histórica dos rios da Amazônia deixou dezenas de comunidades ribeirinhas isoladas no "
            "interior do Amazonas, segundo a Defesa Civil do estado.",
            "O governo federal anunciou o envio de cestas básicas e água potável para os municípios mais "
            "afetados, que dependem dos barcos para receber alimentos.",
            "Pesquisadores afirmam que o nível do rio Negro em Manaus é o mais baixo desde o início das "
            "medições, há mais de cem anos.",
        ],
    ),
    "italian": Article(
        "it", ["Cronaca", "Corriere della Sera"],
        "Maltempo in Emilia-Romagna, evacuate centinaia di famiglie",
        [
            "Le piogge intense delle ultime ventiquattro ore hanno provocato l’esondazione di due fiumi in "
            "Emilia-Romagna e centinaia di famiglie sono state evacuate nella notte.",
            "Il presidente della Regione ha chiesto al governo lo stato di emergenza e ha annunciato che le "
            "scuole resteranno chiuse fino a lunedì.",
            "La Protezione civile invita i cittadini a non mettersi in viaggio se non strettamente necessario.",
        ],
    ),
    "dutch": Article(
        "nl", ["Binnenland", "NRC"],
        "Kabinet trekt extra geld uit voor woningbouw",
        [
            "Het kabinet trekt de komende vier jaar twee miljard euro extra uit voor de bouw van betaalbare "
            "huurwoningen, heeft de minister van Volkshuisvesting dinsdag bekendgemaakt.",
            "Gemeenten kunnen het geld aanvragen voor projecten die binnen drie jaar van start gaan. Volgens "
            "de minister moeten er zo jaarlijks honderdduizend woningen bijkomen.",
            "Woningcorporaties zijn blij met de plannen, maar wijzen erop dat er ook te weinig bouwvakkers zijn.",
        ],
    ),
    "arabic": Article(
        "ar", ["العالم العربي", "مصر", "الأهرام"],
        "هل تنجح خطة الحكومة في خفض الأسعار؟",
        [
            "أعلنت الحكومة المصرية يوم الأحد عن حزمة إجراءات جديدة لخفض أسعار السلع الغذائية الأساسية، من بينها "
            "زيادة المعروض في المجمعات الاستهلاكية.",
            "وقال وزير التموين في مؤتمر صحفي بالقاهرة إن الوزارة ستتابع الأسواق يوميا لضمان التزام التجار "
            "بالأسعار المعلنة.",
            "ويرى خبراء اقتصاديون أن نجاح الخطة يعتمد على استقرار سعر الصرف وتوفر العملة الأجنبية للمستوردين.",
        ],
    ),
    "japanese": Article(
        "ja", ["社会", "朝日新聞"],
        "東京で記録的な猛暑、熱中症で搬送相次ぐ。",
        [
            "東京都心では八日、最高気温が三十九度を超え、観測史上最も暑い八月の一日となった。都内では熱中症の疑いで"
            "百人以上が病院に搬送された。",
            "気象庁は、この暑さは週末まで続く見込みだとして、こまめな水分補給やエアコンの使用を呼びかけている。",
            "東京都は、公共施設の一部を「涼みどころ」として開放し、高齢者に利用を勧めている。",
        ],
    ),
    "english": Article(
        "en", ["Entertainment", "Music", "Jamaica Observer"],
        "My memories of Marley...",
        [
            "I first met Bob Marley in 1975 at a small studio on Hope Road in Kingston, where he was working "
            "on songs that would later appear on the album Rastaman Vibration.",
            "He was quiet at first, but when the band started to play he was the centre of everything, "
            "calling out changes and laughing with the horn players between takes.",
            "More than forty years after his death, his music is still heard in every corner of the island, "
            "and visitors still queue outside the house on Hope Road every morning.",
        ],
    ),
    "vietnamese": Article(
        "vi", ["Thời sự", "VnExpress"],
        "Hà Nội cấm xe tải vào nội thành giờ cao điểm",
        [
            "Ủy ban nhân dân thành phố Hà Nội vừa quyết định cấm xe tải trên năm tấn lưu thông vào nội thành "
            "trong giờ cao điểm buổi sáng và buổi chiều, bắt đầu từ tháng sau.",
            "Theo Sở Giao thông vận tải, biện pháp này nhằm giảm ùn tắc trên các tuyến đường vành đai và cải "
            "thiện chất lượng không khí của thủ đô.",
            "Các doanh nghiệp vận tải đề nghị thành phố dành thêm thời gian để họ điều chỉnh lịch giao hàng.",
        ],
    ),
    "hebrew": Article(
        "he", ["חדשות", "הארץ"],
        "הממשלה אישרה את תקציב המדינה!",
        [
            "הממשלה אישרה הלילה את הצעת תקציב המדינה לשנה הבאה, לאחר דיון ארוך שנמשך יותר משתים עשרה שעות "
            "בירושלים.",
            "שר האוצר אמר במסיבת עיתונאים כי התקציב כולל תוספת משמעותית לחינוך ולבריאות, לצד קיצוצים "
            "במשרדים אחרים.",
            "התקציב יועבר כעת לאישור הכנסת, שם צפויים דיונים סוערים בוועדת הכספים.",
        ],
    ),
    "hungarian": Article(
        "hu", ["Belföld", "Népszava"],
        "Újabb kórházakban szűnik meg az éjszakai ügyelet",
        [
            "Három vidéki kórházban is megszűnik az éjszakai sebészeti ügyelet a jövő hónaptól, mert nincs "
            "elegendő orvos a beosztások betöltéséhez.",
            "Az egészségügyi államtitkár szerint a betegeket a megyeszékhelyek kórházai fogadják, ahol "
            "megerősítik a mentőszolgálatot is.",
            "A helyi önkormányzatok tiltakoznak a döntés ellen, és aláírásgyűjtést indítottak a lakosság körében.",
        ],
    ),
}
