"""Batch 4 of the consent-UI corpus: written adversarially BEFORE the recogniser was changed for
issue 17, and scored once with the recogniser as it was (the first-pass figure is in
docs/corpus.md).

What it covers, in ten languages (de, fr, es, it, pt, ja, ko, ru, zh, en) and in four kinds of
tree (native views with ids, Flutter-style flat trees whose text sits in content-desc, React
Native-style ViewGroups around TextViews, WebViews):

- login walls, with and without a "continue as guest" way out;
- second-confirm prompts of every kind: ones that reuse the privacy dialog's layout word for word
  (only what came before them, a decline, tells them apart), a single OK "please agree to all
  terms", two buttons;
- CMP first layers with and without a reject button;
- CMP settings layers: "reject all" inside the manage-options layer, per-purpose and per-vendor
  toggles with save / confirm choices (all off: saving refuses; some on: saving accepts);
- notices whose only button acknowledges (not consent screens, not blocks);
- dialogs that offer only "go to settings" or "exit the app" (a block: no escape to refuse with);
- negatives: an optional sign-in link on a profile page, a contact form, a newsletter box.

``after`` says what the runner did just before the screen appeared (``decline``: it refused a
privacy or CMP prompt); the recogniser receives it as context.  App names are made up; the
screen wording follows the phrasing real apps and CMP vendors use in those languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corpus_kit import N, Stack, box, btn, cb, edit, img, sw, tv, web

__all__ = ["batch4_screens"]

W, H = 1080, 2400
V = "android.view.View"
VG = "android.view.ViewGroup"
RN_TEXT = "android.widget.TextView"


def _root(*kids: N) -> N:
    return box((0, 0, W, H), *kids, rid="android:id/content", cls="FrameLayout")


def _page(pkg: str) -> N:
    """An app's home page under a dialog."""
    r = f"{pkg}:id/"
    return box((0, 0, W, H), tv("Home", (40, 110, 400, 190), r + "toolbar_title"), img((0, 240, W, 900), r + "banner"),
               box((0, 920, W, 1300), tv("Top picks", (40, 940, 600, 1010), r + "section"), click=True, rid=r + "card"),
               rid=r + "main", cls="FrameLayout")


def _flutter_view(desc: str, b: tuple[int, int, int, int], *, click: bool = False) -> N:
    return N(V, desc=desc, b=b, click=click, focusable=click)


def _rn_button(text: str, b: tuple[int, int, int, int]) -> N:
    x1, y1, x2, y2 = b
    return N(VG, b=b, click=True, focusable=True, desc=text, kids=[N(RN_TEXT, text=text, b=(x1 + 30, y1 + 25, x2 - 30, y2 - 25))])


# ---------------------------------------------------------------------------------------------
# Login walls
# ---------------------------------------------------------------------------------------------
def _login_native(emit: Callable[..., None], name: str, *, pkg: str, lang: str, title: str, email: str, password: str, submit: str,
                  legal: str, guest: str = "", register: str = "", social: list[str] | None = None, dialect: str = "ua", note: str = "") -> None:
    r = f"{pkg}:id/"
    s = Stack(60, 260, 1020, gap=30)
    kids: list[N] = [img(s.take(200, inset=380), r + "logo"), tv(title, s.take(90), r + "tv_title")]
    kids += [edit("", s.take(120), r + "et_email", hint=email), edit("", s.take(120), r + "et_password", password=True, hint=password),
             btn(submit, s.take(130), r + "btn_sign_in")]
    for i, t in enumerate(social or []):
        kids.append(btn(t, s.take(120), r + f"btn_social_{i}"))
    if register:
        kids.append(tv(register, s.take(70, inset=300), r + "tv_register", click=True))
    kids.append(tv(legal, s.text(legal, 32), r + "tv_legal"))
    if guest:
        kids.append(tv(guest, (240, 2080, 840, 2160), r + "tv_guest", click=True))
    emit(name, [_root(box((0, 0, W, H), *kids, rid=r + "login_root", cls="androidx.constraintlayout.widget.ConstraintLayout"))], pkg, (W, H),
         kind="login_gate", decline=guest or "-", lang=lang, dialect=dialect, note=note or f"{lang} login wall, native ids")


def _login_flutter(emit: Callable[..., None], name: str, *, pkg: str, lang: str, title: str, buttons: list[str], guest: str, legal: str,
                   fields: list[str] | None = None, note: str = "") -> None:
    s = Stack(60, 300, 1020, gap=34)
    kids: list[N] = [_flutter_view(title, s.take(100))]
    for f in fields or []:
        kids.append(N("android.widget.EditText", hint=f, b=s.take(120), click=True, focusable=True))
    for t in buttons:
        kids.append(_flutter_view(t, s.take(130), click=True))
    kids.append(_flutter_view(legal, s.text(legal, 32)))
    if guest:
        kids.append(_flutter_view(guest, (260, 2060, 820, 2150), click=True))
    tree = box((0, 0, W, H), N(V, b=(0, 0, W, H), kids=[N(V, b=(0, 0, W, H), kids=kids)]), cls="FrameLayout")
    emit(name, [_root(tree)], pkg, (W, H), kind="login_gate", decline=(guest + " (content-desc)") if guest else "-", lang=lang,
         note=note or f"{lang} login wall, Flutter-style flat tree (labels in content-desc, no ids)")


def _login_rn(emit: Callable[..., None], name: str, *, pkg: str, lang: str, title: str, buttons: list[str], guest: str, legal: str,
              fields: list[str] | None = None, dialect: str = "ua", note: str = "") -> None:
    s = Stack(60, 320, 1020, gap=30)
    kids: list[N] = [N(RN_TEXT, text=title, b=s.take(100))]
    for f in fields or []:
        kids.append(N("android.widget.EditText", hint=f, b=s.take(120), click=True, focusable=True))
    for t in buttons:
        kids.append(_rn_button(t, s.take(130)))
    kids.append(N(RN_TEXT, text=legal, b=s.text(legal, 32)))
    if guest:
        kids.append(_rn_button(guest, (260, 2040, 820, 2150)))
    tree = box((0, 0, W, H), N(VG, b=(0, 0, W, H), kids=kids), cls="FrameLayout")
    emit(name, [_root(tree)], pkg, (W, H), kind="login_gate", decline=guest or "-", lang=lang, dialect=dialect,
         note=note or f"{lang} login wall, React Native-style ViewGroups")


def login_walls(emit: Callable[..., None]) -> None:
    _login_native(emit, "b4_login_de_email_guest", pkg="com.demo.b4.kochbuch", lang="de", title="Anmelden", email="E-Mail-Adresse", password="Passwort",
                  submit="Anmelden", register="Konto erstellen", guest="Als Gast fortfahren",
                  legal="Mit der Anmeldung akzeptierst du unsere Nutzungsbedingungen und bestätigst, dass du die Datenschutzerklärung gelesen hast.")
    _login_flutter(emit, "b4_login_de_social_flutter", pkg="com.demo.b4.fahrrad", lang="de", title="Willkommen zurück",
                   buttons=["Mit Google anmelden", "Mit Apple anmelden", "Mit E-Mail einloggen"], guest="",
                   legal="Indem du fortfährst, stimmst du unseren AGB und der Datenschutzerklärung zu.",
                   note="de login wall with no way past it (Flutter-style)")
    _login_native(emit, "b4_login_it_email_noguest", pkg="com.demo.b4.spesa", lang="it", title="Accedi al tuo account", email="Indirizzo email",
                  password="Password", submit="Accedi", register="Non hai un account? Registrati",
                  legal="Accedendo accetti i Termini e condizioni e dichiari di aver letto l'Informativa sulla privacy.", dialect="appium",
                  note="it login wall with no guest option, Appium page source")
    _login_rn(emit, "b4_login_it_rn_guest", pkg="com.demo.b4.treni", lang="it", title="Benvenuto! Accedi per continuare",
              buttons=["Continua con Google", "Continua con Facebook", "Accedi con email"], guest="Continua come ospite",
              legal="Continuando accetti i Termini di servizio e l'Informativa privacy.")
    _login_native(emit, "b4_login_fr_email_guest", pkg="com.demo.b4.recettes", lang="fr", title="Connexion", email="Adresse e-mail",
                  password="Mot de passe", submit="Se connecter", register="Créer un compte", guest="Continuer en tant qu'invité",
                  legal="En vous connectant, vous acceptez nos Conditions générales d'utilisation et notre Politique de confidentialité.")
    _login_rn(emit, "b4_login_fr_rn_noguest", pkg="com.demo.b4.banque", lang="fr", title="Identifiez-vous",
              buttons=["Se connecter"], fields=["Identifiant client", "Code secret"], guest="",
              legal="Vos données sont traitées conformément à notre politique de protection des données.", dialect="appium",
              note="fr banking login with no way past it")
    _login_native(emit, "b4_login_es_email_guest", pkg="com.demo.b4.recetas", lang="es", title="Inicia sesión", email="Correo electrónico",
                  password="Contraseña", submit="Iniciar sesión", register="¿No tienes cuenta? Regístrate", guest="Continuar como invitado",
                  legal="Al iniciar sesión, aceptas los Términos y condiciones y la Política de privacidad.")
    _login_flutter(emit, "b4_login_es_flutter_skip", pkg="com.demo.b4.futbol", lang="es", title="Crea tu cuenta o inicia sesión",
                   buttons=["Continuar con Google", "Continuar con Apple", "Entrar con correo"], guest="Ahora no",
                   legal="Al continuar aceptas nuestras Condiciones de uso y la Política de privacidad.")
    _login_native(emit, "b4_login_pt_email_guest", pkg="com.demo.b4.mercado", lang="pt", title="Entrar", email="E-mail", password="Senha",
                  submit="Entrar", register="Criar conta", guest="Continuar sem login",
                  legal="Ao entrar, você concorda com os Termos de Uso e a Política de Privacidade.", dialect="ua_pretty")
    _login_rn(emit, "b4_login_pt_rn_explore", pkg="com.demo.b4.viagens", lang="pt", title="Faça login para continuar",
              buttons=["Entrar com Google", "Entrar com Facebook", "Entrar com e-mail"], guest="Explorar o app",
              legal="Ao continuar, você aceita os Termos e a Política de Privacidade.")
    _login_native(emit, "b4_login_ja_email_guest", pkg="com.demo.b4.gourmet", lang="ja", title="ログイン", email="メールアドレス", password="パスワード",
                  submit="ログイン", register="新規会員登録", guest="ゲストとして利用する",
                  legal="ログインすることで、利用規約およびプライバシーポリシーに同意したものとみなされます。")
    _login_flutter(emit, "b4_login_ja_flutter_skip", pkg="com.demo.b4.manga", lang="ja", title="ログインして続ける",
                   buttons=["LINEでログイン", "Googleでログイン", "メールアドレスでログイン"], guest="スキップ",
                   legal="続行することで利用規約とプライバシーポリシーに同意したことになります。")
    _login_native(emit, "b4_login_ko_email_browse", pkg="com.demo.b4.baedal", lang="ko", title="로그인", email="이메일", password="비밀번호",
                  submit="로그인", register="회원가입", guest="로그인 없이 둘러보기",
                  legal="로그인하면 서비스 이용약관 및 개인정보 처리방침에 동의하는 것으로 간주됩니다.", social=["카카오로 시작하기", "네이버로 시작하기"])
    _login_rn(emit, "b4_login_ko_rn_noguest", pkg="com.demo.b4.bank", lang="ko", title="간편 로그인",
              buttons=["카카오 로그인", "휴대폰 번호로 로그인"], guest="", legal="계속하면 이용약관과 개인정보처리방침에 동의하게 됩니다.",
              note="ko login wall with no way past it")
    _login_native(emit, "b4_login_ru_email_guest", pkg="com.demo.b4.dostavka", lang="ru", title="Вход", email="Телефон или почта", password="Пароль",
                  submit="Войти", register="Зарегистрироваться", guest="Продолжить как гость",
                  legal="Нажимая «Войти», вы принимаете пользовательское соглашение и политику конфиденциальности.", dialect="appium")
    _login_flutter(emit, "b4_login_ru_flutter_noguest", pkg="com.demo.b4.taksi", lang="ru", title="Войдите, чтобы продолжить",
                   buttons=["Войти через VK ID", "Войти по номеру телефона"], guest="",
                   legal="Продолжая, вы соглашаетесь с условиями использования и политикой конфиденциальности.")
    _login_rn(emit, "b4_login_zh_rn_visitor", pkg="com.demo.b4.shequ", lang="zh", title="登录后体验更多精彩",
              buttons=["本机号码一键登录", "微信登录"], guest="游客模式", legal="登录即代表您已同意《用户协议》和《隐私政策》")
    _login_rn(emit, "b4_login_en_rn_browse", pkg="com.demo.b4.thrift", lang="en", title="Sign in to start shopping",
              buttons=["Continue with Google", "Continue with email"], guest="Browse without an account",
              legal="By signing in you agree to our Terms and Privacy Notice.")
    # web login wall inside a WebView (a hybrid app)
    pkg = "com.demo.b4.hybrid"
    s = Stack(60, 300, 1020, gap=30)
    kids = [N(V, text="Einloggen", b=s.take(100)), N("android.widget.EditText", hint="E-Mail", b=s.take(120), click=True, focusable=True),
            N("android.widget.EditText", hint="Passwort", b=s.take(120), click=True, focusable=True, password=True),
            N("android.widget.Button", text="Einloggen", b=s.take(130), click=True),
            N(V, text="Passwort vergessen?", b=s.take(70), click=True),
            N(V, text="Ohne Anmeldung fortfahren", b=(260, 2000, 820, 2080), click=True)]
    emit("b4_login_de_webview_skip", [_root(web((0, 200, W, H), N(V, b=(0, 200, W, H), kids=kids), title="Login"))], pkg, (W, H),
         kind="login_gate", decline="Ohne Anmeldung fortfahren", lang="de", dialect="appium", note="de login wall inside a WebView")


# ---------------------------------------------------------------------------------------------
# Second confirms
# ---------------------------------------------------------------------------------------------
def _privacy_layout(pkg: str, title: str, body: str, links: list[str], buttons: list[str], *, flat: bool = False) -> list[N]:
    """The privacy dialog's own layout (title, scrolling body, links, a button row)."""
    r = f"{pkg}:id/"
    s = Stack(90, 640, 990, gap=26)
    top = s.y
    kids: list[N] = [tv(title, s.take(90, inset=40), "" if flat else r + "tv_title")]
    sb = s.text(body, 40, inset=50)
    inner: list[N] = [tv(body, sb, "" if flat else r + "tv_content")] + [tv(link, s.take(64, inset=50), "" if flat else r + "tv_link", click=True) for link in links]
    kids.append(box((90, sb[1], 990, s.y), *inner, rid="" if flat else r + "scroll_content", cls="ScrollView", scroll=True))
    bs = s.row(130, len(buttons), 30, inset=40)
    kids.append(box((90, bs[0][1], 990, bs[0][3]), *[btn(t, b, "" if flat else r + f"btn_{i}", cls="TextView") for i, (t, b) in enumerate(zip(buttons, bs, strict=True))]))
    return [_root(_page(pkg), box((90, top - 30, 990, s.y + 40), *kids, rid="" if flat else r + "dialog_root"))]


def _small_prompt(pkg: str, title: str, body: str, buttons: list[str], *, flutter: bool = False, ids: bool = True) -> list[N]:
    r = f"{pkg}:id/"
    s = Stack(120, 980, 960, gap=28)
    top = s.y
    if flutter:
        kids: list[N] = []
        if title:
            kids.append(_flutter_view(title, s.take(80)))
        kids.append(_flutter_view(body, s.text(body, 40, inset=30)))
        bs = s.row(120, len(buttons), 20)
        kids.extend(_flutter_view(t, b, click=True) for t, b in zip(buttons, bs, strict=True))
        return [_root(_page(pkg), N(V, b=(120, top - 30, 960, s.y + 30), kids=kids))]
    kids = []
    if title:
        kids.append(tv(title, s.take(80, inset=30), r + "tv_title" if ids else ""))
    kids.append(tv(body, s.text(body, 40, inset=30), r + "tv_message" if ids else ""))
    bs = s.row(120, len(buttons), 20)
    kids.append(box((120, bs[0][1], 960, bs[0][3]), *[btn(t, b, r + f"btn_{i}" if ids else "") for i, (t, b) in enumerate(zip(buttons, bs, strict=True))]))
    return [_root(_page(pkg), box((120, top - 30, 960, s.y + 30), *kids, rid=r + "dialog" if ids else ""))]


def second_confirms(emit: Callable[..., None]) -> None:
    # the same layout and words as the privacy dialog it follows: only the context tells them apart
    body_zh = ("我们依据最新法律法规制定了《隐私政策》，请您在使用前仔细阅读并充分理解。我们会收集您的设备信息与位置信息，用于推荐附近门店。"
               "如您同意，请点击“同意”开始使用我们的服务。")
    emit("b4_second_zh_reuses_privacy_layout", _privacy_layout("com.demo.b4.mendian", "隐私政策", body_zh, ["《用户协议》", "《隐私政策》"], ["不同意", "同意"]),
         "com.demo.b4.mendian", (W, H), kind="second_confirm", decline="不同意", lang="zh", after="decline",
         note="second confirm that repeats the privacy dialog after a decline (same layout and buttons)")
    body_en = ("We care about your privacy. Please read our Terms of Service and Privacy Policy. We collect device information and usage data to "
               "provide and improve the service. Tap Agree to continue.")
    emit("b4_second_en_reuses_privacy_layout", _privacy_layout("com.demo.b4.fitpal", "Privacy Policy", body_en, ["Terms of Service", "Privacy Policy"],
                                                              ["Disagree", "Agree"]),
         "com.demo.b4.fitpal", (W, H), kind="second_confirm", decline="Disagree", lang="en", after="decline", dialect="appium",
         note="second confirm: the privacy dialog again after a decline, Appium")
    body_de = ("Bitte lies unsere Datenschutzerklärung und die Nutzungsbedingungen. Um die App nutzen zu können, musst du ihnen zustimmen. "
               "Ohne deine Zustimmung können wir dir den Dienst leider nicht anbieten.")
    emit("b4_second_de_reuses_privacy_exit", _privacy_layout("com.demo.b4.wetter", "Datenschutz", body_de, ["Datenschutzerklärung"],
                                                            ["Ablehnen und beenden", "Zustimmen"], flat=True),
         "com.demo.b4.wetter", (W, H), kind="second_confirm", decline="Ablehnen und beenden", lang="de", after="decline",
         note="second confirm in the privacy layout, no ids, decline-and-quit")
    body_ja = "サービスをご利用いただくには、利用規約とプライバシーポリシーへの同意が必要です。内容をご確認のうえ、同意してください。"
    emit("b4_second_ja_reuses_privacy_layout", _privacy_layout("com.demo.b4.kakeibo", "プライバシーポリシー", body_ja, ["利用規約", "プライバシーポリシー"],
                                                              ["同意しない", "同意する"]),
         "com.demo.b4.kakeibo", (W, H), kind="second_confirm", decline="同意しない", lang="ja", after="decline", note="ja second confirm in the privacy layout")
    # a single OK: "please agree to all terms"
    for name, pkg, lang, title, body, ok, extra in [
        ("b4_second_en_agree_all_terms_ok", "com.demo.b4.wallet", "en", "", "Please agree to all terms to continue.", "OK", {}),
        ("b4_second_zh_agree_all_terms_ok", "com.demo.b4.licai", "zh", "提示", "请先同意全部条款", "确定", {"dialect": "appium"}),
        ("b4_second_ko_agree_all_terms_ok", "com.demo.b4.shop", "ko", "", "필수 약관에 모두 동의해 주세요.", "확인", {}),
        ("b4_second_pt_agree_terms_ok", "com.demo.b4.banco", "pt", "Atenção", "Para continuar, é necessário aceitar os termos de uso e a política de privacidade.", "OK", {}),
        ("b4_second_es_agree_terms_flutter", "com.demo.b4.salud", "es", "", "Debes aceptar los términos y condiciones para usar la aplicación.", "Aceptar", {"flutter": True}),
        ("b4_second_ru_agree_terms_ok", "com.demo.b4.market", "ru", "", "Для продолжения необходимо принять условия пользовательского соглашения.", "Понятно", {}),
    ]:
        flutter = bool(extra.get("flutter"))
        emit(name, _small_prompt(pkg, title, body, [ok], flutter=flutter), pkg, (W, H), kind="second_confirm", decline="-", amb=True, lang=lang,
             dialect=str(extra.get("dialect", "ua")), after="decline", note="single OK after a decline: 'please agree to all terms'" + (", Flutter-style" if flutter else ""))
    # two buttons
    for name, pkg, lang, title, body, buttons, decline, extra in [
        ("b4_second_fr_refuse_anyway", "com.demo.b4.meteo", "fr", "Êtes-vous sûr ?",
         "Sans votre accord, nous ne pourrons pas vous proposer le service. Vous pouvez relire la politique de confidentialité.",
         ["Refuser quand même", "Revenir"], "Refuser quand même", {}),
        ("b4_second_it_exit_accept", "com.demo.b4.notizie", "it", "Attenzione",
         "Per utilizzare l'app è necessario accettare l'informativa sulla privacy.", ["Esci", "Accetta"], "Esci", {}),
        ("b4_second_ru_exit_back", "com.demo.b4.kino", "ru", "Вы уверены?",
         "Без согласия с политикой конфиденциальности мы не сможем предоставить вам доступ к приложению.", ["Выйти", "Назад"], "Выйти", {"dialect": "appium"}),
        ("b4_second_es_exit_back_flutter", "com.demo.b4.bus", "es", "",
         "Si no aceptas la política de privacidad no podrás usar la aplicación.", ["Salir", "Volver"], "Salir (content-desc)", {"flutter": True}),
        ("b4_second_ja_disagree_back", "com.demo.b4.tenki", "ja", "確認",
         "同意いただけない場合、本アプリをご利用いただけません。よろしいですか？", ["同意しない", "戻る"], "同意しない", {}),
        ("b4_second_ko_close_app", "com.demo.b4.jido", "ko", "안내",
         "개인정보 처리방침에 동의하지 않으면 앱을 이용할 수 없습니다.", ["앱 종료", "다시 보기"], "앱 종료", {}),
        ("b4_second_pt_exit_review", "com.demo.b4.onibus", "pt", "Tem certeza?",
         "Sem o seu consentimento não podemos oferecer o serviço.", ["Sair do app", "Rever"], "Sair do app", {"ids": False}),
        ("b4_second_de_leave_review", "com.demo.b4.zeitung", "de", "Bist du sicher?",
         "Ohne deine Einwilligung können wir dir die App nicht anbieten.", ["App verlassen", "Zurück"], "App verlassen", {}),
    ]:
        emit(name, _small_prompt(pkg, title, body, buttons, flutter=bool(extra.get("flutter")), ids=bool(extra.get("ids", True))), pkg, (W, H),
             kind="second_confirm", decline=decline, lang=lang, dialect=str(extra.get("dialect", "ua")), after="decline",
             note="two-button second confirm after a decline")


# ---------------------------------------------------------------------------------------------
# CMP first layers and settings layers
# ---------------------------------------------------------------------------------------------
def _cmp_web(emit: Callable[..., None], name: str, *, pkg: str, lang: str, texts: list[str], buttons: list[str], decline: str, dialect: str = "ua",
             toggles: list[tuple[str, bool]] | None = None, note: str = "", pre: bool = False) -> None:
    s = Stack(48, 560, 1032, gap=18)
    kids: list[N] = [N(V, text=t, b=s.text(t, 36)) for t in texts]
    for label, on in toggles or []:
        rb = s.take(110)
        kids.append(N(V, b=rb, kids=[N(V, text=label, b=(rb[0], rb[1], rb[2] - 200, rb[3])),
                                     N("android.widget.CheckBox", b=(rb[2] - 170, rb[1] + 20, rb[2], rb[3] - 20), click=True, check=on)]))
    for t in buttons:
        kids.append(N("android.widget.Button", text=t, b=s.take(120), click=True))
    emit(name, [_root(_page(pkg), web((0, 500, W, H), N(V, b=(0, 500, W, H), kids=kids)))], pkg, (W, H), kind="cmp_dialog", decline=decline, pre=pre,
         lang=lang, dialect=dialect, note=note)


def _cmp_native(emit: Callable[..., None], name: str, *, pkg: str, prefix: str, lang: str, title: str, body: str, buttons: list[tuple[str, str]],
                decline: str, toggles: list[tuple[str, bool, bool]] | None = None, dialect: str = "ua", note: str = "", top: bool = False) -> None:
    y0 = 260 if top else 1150
    s = Stack(0, y0 + 40, W, gap=20)
    kids: list[N] = [tv(title, s.take(80, inset=48), prefix + "title" if prefix else ""), tv(body, s.text(body, 36, inset=48), prefix + "text" if prefix else "")]
    for label, on, enabled in toggles or []:
        rb = s.take(110, inset=48)
        kids.append(box(rb, tv(label, (rb[0], rb[1], rb[2] - 200, rb[3]), prefix + "purpose_title" if prefix else ""),
                        sw("", (rb[2] - 170, rb[1] + 20, rb[2], rb[3] - 20), on, prefix + "purpose_switch" if prefix else "", enabled=enabled), cls="RelativeLayout"))
    for rid, text in buttons:
        kids.append(btn(text, s.take(120, inset=48), prefix + rid if prefix and rid else ""))
    panel = box((0, y0, W, s.y + 30), *kids, rid=prefix + "root" if prefix else "")
    pre = any(on and en for _, on, en in toggles or [])
    emit(name, [_root(_page(pkg), panel)], pkg, (W, H), kind="cmp_dialog", decline=decline, pre=pre, lang=lang, dialect=dialect, note=note)


def cmps(emit: Callable[..., None]) -> None:
    # first layers with a reject button
    _cmp_web(emit, "b4_cmp_ump_de_reject", pkg="com.demo.b4.raetsel", lang="de",
             texts=["Rätsel Pro bittet um deine Einwilligung zur Nutzung deiner personenbezogenen Daten für:",
                    "Personalisierte Werbung und Inhalte, Messung von Werbeleistung und der Performance von Inhalten, Zielgruppenforschung sowie Entwicklung und Verbesserung von Angeboten",
                    "Speichern von oder Zugriff auf Informationen auf einem Endgerät",
                    "Deine personenbezogenen Daten werden verarbeitet und Informationen von deinem Gerät (Cookies, eindeutige Kennungen und andere Gerätedaten) können von 150 TCF-Anbietern und 60 Werbepartnern gespeichert, abgerufen und mit ihnen geteilt werden."],
             buttons=["Einwilligen", "Nicht einwilligen", "Optionen verwalten"], decline="Nicht einwilligen", note="Google UMP form in German, WebView")
    _cmp_web(emit, "b4_cmp_ump_fr_no_reject", pkg="com.demo.b4.motsfleches", lang="fr",
             texts=["Mots Fléchés demande votre consentement pour utiliser vos données personnelles pour :",
                    "Publicités et contenu personnalisés, mesure de performance des publicités et du contenu, études d'audience et développement de services",
                    "Stocker et/ou accéder à des informations sur un appareil",
                    "Vos données personnelles seront traitées et les informations de votre appareil (cookies, identifiants uniques et autres données de l'appareil) pourront être stockées, consultées et partagées avec 140 fournisseurs TCF et 55 partenaires publicitaires."],
             buttons=["Autoriser", "Gérer les options"], decline="-", dialect="appium", note="UMP in French with no reject on the first layer")
    _cmp_native(emit, "b4_cmp_onetrust_es_reject", pkg="com.demo.b4.periodico", prefix="com.onetrust.otpublishers.headless:id/", lang="es",
                title="Tu privacidad es importante", body="Nosotros y nuestros socios utilizamos cookies y tecnologías similares para almacenar y acceder a información en tu dispositivo, para personalizar anuncios y contenido y medir audiencias.",
                buttons=[("btn_accept_cookies", "Aceptar todas"), ("btn_reject_cookies", "Rechazar todas"), ("cookie_settings_link", "Configuración de cookies")],
                decline="com.onetrust.otpublishers.headless:id/btn_reject_cookies", note="OneTrust banner in Spanish")
    _cmp_native(emit, "b4_cmp_didomi_it_reject", pkg="com.demo.b4.meteoit", prefix="io.didomi.sdk:id/", lang="it",
                title="La tua privacy è importante per noi", body="Noi e i nostri 230 partner memorizziamo e accediamo a informazioni sul tuo dispositivo, come i cookie, e trattiamo dati personali per annunci e contenuti personalizzati.",
                buttons=[("button_agree", "Accetta e chiudi"), ("button_disagree", "Rifiuta tutto"), ("button_learn_more", "Scopri di più")],
                decline="io.didomi.sdk:id/button_disagree", dialect="appium", note="Didomi notice in Italian")
    _cmp_native(emit, "b4_cmp_pt_reject_noids", pkg="com.demo.b4.noticias", prefix="", lang="pt",
                title="Nós valorizamos a sua privacidade", body="Nós e os nossos parceiros utilizamos cookies para armazenar e aceder a informações no seu dispositivo, para anúncios personalizados e medição de audiências.",
                buttons=[("", "Aceitar tudo"), ("", "Rejeitar tudo"), ("", "Personalizar")], decline="Rejeitar tudo", note="Portuguese CMP, no ids")
    _cmp_native(emit, "b4_cmp_ja_reject", pkg="com.demo.b4.news.jp", prefix="", lang="ja",
                title="Cookieの使用について", body="当社およびパートナーは、広告のパーソナライズや効果測定のためにCookieなどの技術を使用し、端末上の情報を保存・取得します。",
                buttons=[("", "すべて同意する"), ("", "すべて拒否する"), ("", "設定を管理")], decline="すべて拒否する", note="Japanese CMP banner")
    # first layer without reject, Flutter-style
    s = Stack(48, 1200, 1032, gap=20)
    kids = [_flutter_view("Wir respektieren deine Privatsphäre", s.take(80)),
            _flutter_view("Wir und unsere 120 Partner verwenden Cookies und ähnliche Technologien, um Informationen auf deinem Gerät zu speichern und personalisierte Werbung anzuzeigen.", s.text("x" * 150, 36)),
            _flutter_view("Alle akzeptieren", s.take(120), click=True), _flutter_view("Einstellungen", s.take(120), click=True)]
    emit("b4_cmp_de_flutter_no_reject", [_root(_page("com.demo.b4.sport"), N(V, b=(0, 1160, W, s.y + 30), kids=kids))], "com.demo.b4.sport", (W, H),
         kind="cmp_dialog", decline="-", lang="de", note="German CMP first layer with no reject (Flutter-style): refusal only via settings")
    # settings layers
    _cmp_web(emit, "b4_cmp_ump_de_manage_layer", pkg="com.demo.b4.raetsel", lang="de",
             texts=["Optionen verwalten", "Du kannst auswählen, wie deine personenbezogenen Daten verwendet werden. Anbieter können Daten auf Grundlage eines berechtigten Interesses verarbeiten, dem du widersprechen kannst."],
             toggles=[("Personalisierte Werbung", False), ("Messung der Werbeleistung", False), ("Entwicklung und Verbesserung von Angeboten", False)],
             buttons=["Auswahl bestätigen", "Alle ablehnen", "Alle akzeptieren"], decline="Alle ablehnen",
             note="UMP manage-options layer in German: 'Alle ablehnen' beside confirm choices")
    _cmp_native(emit, "b4_cmp_fr_purposes_off_save", pkg="com.demo.b4.motsfleches", prefix="", lang="fr",
                title="Paramètres de confidentialité", body="Choisissez les finalités pour lesquelles vos données peuvent être utilisées par nous et nos partenaires.",
                toggles=[("Publicités personnalisées", False, True), ("Mesure d'audience", False, True), ("Contenu personnalisé", False, True)],
                buttons=[("", "Enregistrer mes choix"), ("", "Tout accepter")], decline="Enregistrer mes choix", top=True,
                note="French settings layer: every purpose off, saving refuses")
    _cmp_native(emit, "b4_cmp_es_vendors_on_confirm", pkg="com.demo.b4.periodico", prefix="", lang="es",
                title="Gestionar proveedores", body="Estos socios pueden procesar tus datos para publicidad y medición. Puedes desactivar cada uno.",
                toggles=[("Socio publicitario A", True, True), ("Socio de medición B", True, True), ("Red de anuncios C", True, True)],
                buttons=[("", "Confirmar elección"), ("", "Aceptar todo")], decline="-", top=True, dialect="appium",
                note="Spanish vendor layer with switches on: confirming accepts; refusing needs each switch off first")
    _cmp_native(emit, "b4_cmp_it_settings_reject_all", pkg="com.demo.b4.meteoit", prefix="io.didomi.sdk:id/", lang="it",
                title="Preferenze privacy", body="Puoi dare o negare il consenso per ciascuna finalità. Il legittimo interesse può essere contestato.",
                toggles=[("Archiviare informazioni su un dispositivo", False, True), ("Annunci personalizzati", False, True), ("Misurare le prestazioni", True, True)],
                buttons=[("button_save", "Salva"), ("button_disagree_all", "Rifiuta tutto"), ("button_agree_all", "Accetta tutto")],
                decline="io.didomi.sdk:id/button_disagree_all", top=True, note="Didomi preferences in Italian: one purpose on (legitimate interest), reject all")
    _cmp_native(emit, "b4_cmp_en_usercentrics_services_off", pkg="com.demo.b4.radio", prefix="com.usercentrics.sdk:id/", lang="en",
                title="Service Settings", body="Choose which services may process your data in this app. You can change your choice later in Settings.",
                toggles=[("Essential", True, False), ("Google Analytics for Firebase", False, True), ("Adjust", False, True), ("Meta Audience Network", False, True)],
                buttons=[("ucButtonSave", "Save Services"), ("ucButtonAcceptAll", "Accept All")], decline="com.usercentrics.sdk:id/ucButtonSave", top=True,
                note="Usercentrics service layer: optional services off, saving refuses")
    _cmp_native(emit, "b4_cmp_pt_manage_layer_reject", pkg="com.demo.b4.noticias", prefix="", lang="pt",
                title="Gerir preferências", body="Pode recusar o tratamento dos seus dados para cada finalidade. Os cookies estritamente necessários estão sempre ativos.",
                toggles=[("Estritamente necessários", True, False), ("Publicidade personalizada", True, True), ("Estatísticas", True, True)],
                buttons=[("", "Rejeitar tudo"), ("", "Confirmar as minhas escolhas"), ("", "Aceitar tudo")], decline="Rejeitar tudo", top=True, dialect="ua_pretty",
                note="Portuguese settings layer with purposes on in advance and a reject-all")


# ---------------------------------------------------------------------------------------------
# Acknowledgement-only notices, settings/exit-only dialogs, negatives
# ---------------------------------------------------------------------------------------------
def _alert(pkg: str, title: str, body: str, buttons: list[str], *, flutter: bool = False) -> list[N]:
    return _small_prompt(pkg, title, body, buttons, flutter=flutter)


def notices_and_blocks(emit: Callable[..., None]) -> None:
    for name, pkg, lang, title, body, ok, flutter in [
        ("b4_notice_en_location_off_ok", "com.demo.b4.bikes", "en", "Location is off", "Without location access you can still search for stations by name.", "OK", False),
        ("b4_notice_zh_camera_denied_iknow", "com.demo.b4.saoma", "zh", "提示", "未获得相机权限，您可以手动输入桌号继续点餐。", "我知道了", False),
        ("b4_notice_de_no_location_ok", "com.demo.b4.parken", "de", "Hinweis", "Ohne Standortfreigabe kannst du Parkplätze weiterhin über die Suche finden.", "OK", True),
        ("b4_notice_ja_notifications_off", "com.demo.b4.kaimono", "ja", "お知らせ", "通知がオフになっています。注文状況はアプリ内でご確認いただけます。", "閉じる", False),
        ("b4_notice_fr_terms_updated_gotit", "com.demo.b4.velo", "fr", "Information", "Nous avons mis à jour notre FAQ. Retrouvez les nouveautés dans l'onglet Aide.", "J'ai compris", False),
    ]:
        emit(name, _alert(pkg, title, body, [ok], flutter=flutter), pkg, (W, H), kind="other", lang=lang,
             note="acknowledgement-only notice after a refusal: not a consent screen, not a block" + (" (Flutter-style)" if flutter else ""))
    for name, pkg, lang, title, body, buttons, decline, group in [
        ("b4_block_en_settings_only", "com.demo.b4.scooter", "en", "Location required",
         "This app needs your location to unlock scooters. Enable location permission in Settings to continue.", ["Go to Settings"], "-", "LOCATION"),
        ("b4_block_zh_settings_exit", "com.demo.b4.chongdian", "zh", "需要位置权限",
         "使用充电宝服务需要开启位置权限，请前往设置开启。", ["退出应用", "去设置"], "退出应用", "LOCATION"),
        ("b4_block_de_settings_exit", "com.demo.b4.roller", "de", "Berechtigung erforderlich",
         "Für diese App wird der Zugriff auf die Kamera benötigt. Bitte erteile die Berechtigung in den Einstellungen.", ["App beenden", "Einstellungen öffnen"], "App beenden", "CAMERA"),
        ("b4_block_es_exit_only", "com.demo.b4.patinete", "es", "Permiso necesario",
         "Sin acceso a tu ubicación no podemos mostrarte los patinetes. La aplicación se cerrará.", ["Salir"], "Salir", "LOCATION"),
        ("b4_block_ko_settings_only", "com.demo.b4.kickboard", "ko", "권한 필요",
         "위치 권한이 필요합니다. 설정에서 위치 권한을 허용해 주세요.", ["설정으로 이동"], "-", "LOCATION"),
    ]:
        emit(name, _alert(pkg, title, body, buttons), pkg, (W, H), kind="permission_rationale", decline=decline, group=group, lang=lang,
             note="after a denial: only 'go to settings' or 'exit the app' - a block, no escape")
    # negatives: an optional sign-in on a profile page; a contact form; a newsletter box
    pkg = "com.demo.b4.rezepte"
    r = f"{pkg}:id/"
    page = box((0, 0, W, H), tv("Profil", (40, 110, 400, 190), r + "toolbar_title"),
               box((0, 240, W, 460), tv("Melde dich an, um Rezepte zu speichern", (40, 260, 900, 330), r + "tv_hint"),
                   btn("Anmelden", (40, 350, 500, 440), r + "btn_login")),
               box((0, 480, W, 620), tv("Einstellungen", (40, 520, 900, 580)), click=True, rid=r + "row_settings"),
               box((0, 640, W, 780), tv("Datenschutz", (40, 680, 900, 740)), click=True, rid=r + "row_privacy"),
               box((0, 800, W, 940), tv("Hilfe & Kontakt", (40, 840, 900, 900)), click=True, rid=r + "row_help"),
               rid=r + "profile", cls="LinearLayout")
    emit("b4_neg_de_profile_optional_login", [_root(page)], pkg, (W, H), kind="other", lang="de", note="negative: optional sign-in on a profile page, not a wall")
    pkg = "com.demo.b4.assistenza"
    r = f"{pkg}:id/"
    s = Stack(60, 260, 1020, gap=30)
    page = box((0, 0, W, H), tv("Contattaci", s.take(90), r + "title"), edit("", s.take(120), r + "et_name", hint="Nome"),
               edit("", s.take(120), r + "et_email", hint="Email"), edit("", s.take(300), r + "et_msg", hint="Messaggio"),
               tv("Useremo i tuoi dati solo per rispondere alla richiesta, come descritto nell'informativa sulla privacy.", s.text("x" * 90, 32), r + "tv_privacy"),
               btn("Invia", s.take(130), r + "btn_send"), rid=r + "form", cls="LinearLayout")
    emit("b4_neg_it_contact_form", [_root(page)], pkg, (W, H), kind="other", lang="it", note="negative: contact form with a privacy sentence")
    pkg = "com.demo.b4.magazine"
    r = f"{pkg}:id/"
    s = Stack(60, 300, 1020, gap=30)
    page = box((0, 0, W, H), tv("Newsletter", s.take(90), r + "title"), edit("", s.take(120), r + "et_email", hint="Adresse e-mail"),
               cb("J'accepte de recevoir la newsletter", s.take(100), False, r + "cb_newsletter"), btn("S'abonner", s.take(130), r + "btn_subscribe"),
               rid=r + "root", cls="LinearLayout")
    emit("b4_neg_fr_newsletter_box", [_root(page)], pkg, (W, H), kind="other", lang="fr", note="negative: newsletter sign-up with an opt-in box")


def batch4_screens(emit: Callable[..., Any]) -> None:
    """Write batch 4 through ``emit`` (make_corpus.emit)."""
    login_walls(emit)
    second_confirms(emit)
    cmps(emit)
    notices_and_blocks(emit)
