"""Batch 5 of the consent-UI corpus: written after the issue-17 change, without looking at the
lexicon, to estimate how the changed recogniser does on screens it was not fixed against; scored
once before any further change (the figure is in docs/corpus.md).

Other phrasings than batch 4 (word orders, regional variants, traditional Chinese), a
Compose-style tree (clickable Views around TextViews, no Button classes), and CMP "continue
without accepting" links in several languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corpus_batch4 import (
    RN_TEXT,
    H,
    W,
    _cmp_native,
    _cmp_web,
    _login_flutter,
    _login_native,
    _login_rn,
    _privacy_layout,
    _root,
    _small_prompt,
)
from corpus_kit import N, Stack, box, btn, edit, tv

__all__ = ["batch5_screens"]

V = "android.view.View"


def _compose_login(emit: Callable[..., None], name: str, *, pkg: str, lang: str, title: str, fields: list[str], primary: str, links: list[str],
                   guest: str, note: str) -> None:
    """Jetpack Compose-style: clickable Views wrapping a TextView, fields as EditText, no ids."""
    s = Stack(60, 280, 1020, gap=32)
    kids: list[N] = [N(RN_TEXT, text=title, b=s.take(100))]
    for f in fields:
        kids.append(N("android.widget.EditText", hint=f, b=s.take(120), click=True, focusable=True, password="passw" in f.lower() or "mot de passe" in f.lower()))
    for t in [primary, *links]:
        b = s.take(120)
        kids.append(N(V, b=b, click=True, focusable=True, kids=[N(RN_TEXT, text=t, b=(b[0] + 40, b[1] + 30, b[2] - 40, b[3] - 30))]))
    if guest:
        kids.append(N(V, b=(240, 2060, 840, 2160), click=True, focusable=True, kids=[N(RN_TEXT, text=guest, b=(280, 2080, 800, 2140))]))
    tree = box((0, 0, W, H), N(V, b=(0, 0, W, H), kids=kids), cls="FrameLayout")
    emit(name, [_root(tree)], pkg, (W, H), kind="login_gate", decline=guest or "-", lang=lang, note=note)


def login_walls(emit: Callable[..., None]) -> None:
    _compose_login(emit, "b5_login_de_compose_weiter_ohne_konto", pkg="com.demo.b5.mobilo", lang="de", title="Willkommen bei Mobilo",
                   fields=["E-Mail", "Passwort"], primary="Jetzt anmelden", links=["Noch kein Konto? Jetzt registrieren"], guest="Weiter ohne Konto",
                   note="de Compose-style login wall, guest option in another word order")
    _login_native(emit, "b5_login_it_phone_salta", pkg="com.demo.b5.pizzeria", lang="it", title="Entra nel tuo account", email="Numero di cellulare",
                  password="Codice di verifica", submit="Entra", register="Crea un account", guest="Salta",
                  legal="Proseguendo confermi di aver preso visione dell'informativa sulla privacy.", note="it phone login with 'Salta'")
    s = Stack(60, 300, 1020, gap=30)
    kids = [N(V, text="Accedi o registrati per continuare", b=s.take(100)),
            N("android.widget.EditText", hint="Email", b=s.take(120), click=True, focusable=True),
            N("android.widget.Button", text="Continua", b=s.take(130), click=True),
            N(V, text="Oppure accedi con", b=s.take(60)),
            N("android.widget.Button", text="Google", b=s.take(120), click=True),
            N(V, text="Continua senza registrazione", b=(240, 2000, 840, 2080), click=True)]
    from corpus_kit import web

    emit("b5_login_it_webview_senza_registrazione", [_root(web((0, 200, W, H), N(V, b=(0, 200, W, H), kids=kids), title="Accesso"))], "com.demo.b5.giornale",
         (W, H), kind="login_gate", decline="Continua senza registrazione", lang="it", dialect="appium", note="it web login wall in a WebView")
    _login_native(emit, "b5_login_fr_identifier_plus_tard", pkg="com.demo.b5.cinema", lang="fr", title="S'identifier", email="E-mail", password="Mot de passe",
                  submit="S'identifier", register="Créer mon compte", guest="Plus tard",
                  legal="En poursuivant, vous acceptez nos CGU et notre politique de confidentialité.", note="fr login wall, 'Plus tard'")
    _login_rn(emit, "b5_login_es_rn_explorar_invitado", pkg="com.demo.b5.tienda", lang="es", title="Entra o crea tu cuenta",
              buttons=["Entrar", "Crear cuenta"], guest="Explorar como invitado", legal="Al continuar, aceptas los Términos y la Política de Privacidad.",
              note="es RN login wall, 'Explorar como invitado'")
    _login_native(emit, "b5_login_pt_pt_sem_sessao", pkg="com.demo.b5.comboios", lang="pt", title="Iniciar sessão", email="Email", password="Palavra-passe",
                  submit="Iniciar sessão", register="Criar conta", guest="Continuar sem iniciar sessão",
                  legal="Ao continuar, aceita os Termos e Condições e a Política de Privacidade.", dialect="appium", note="pt-PT login wall")
    _login_flutter(emit, "b5_login_ja_flutter_hajimeru", pkg="com.demo.b5.recipe.jp", lang="ja", title="ログイン・新規登録",
                   buttons=["Appleでサインイン", "Googleでサインイン", "メールアドレスで登録"], guest="ログインせずにはじめる",
                   legal="登録することで、利用規約とプライバシーポリシーに同意したものとみなします。", note="ja Flutter login wall, 'start without logging in'")
    _login_native(emit, "b5_login_ko_kakao_next_time", pkg="com.demo.b5.market.kr", lang="ko", title="로그인", email="아이디", password="비밀번호",
                  submit="로그인", register="회원가입", guest="다음에 하기", social=["카카오 계정으로 로그인"],
                  legal="로그인 시 이용약관 및 개인정보 수집·이용에 동의하게 됩니다.", note="ko login wall, 'next time'")
    _login_rn(emit, "b5_login_ru_rn_skip", pkg="com.demo.b5.afisha", lang="ru", title="Войдите или зарегистрируйтесь",
              buttons=["Войти по почте", "Войти через Яндекс ID"], guest="Пропустить", legal="Продолжая, вы принимаете условия использования.",
              note="ru RN login wall, 'Пропустить'")
    _login_native(emit, "b5_login_zh_tw_guest", pkg="com.demo.b5.tw.shop", lang="zh", title="會員登入", email="手機號碼", password="密碼",
                  submit="登入", register="註冊新帳號", guest="訪客瀏覽", legal="登入即表示您同意《服務條款》及《隱私權政策》。",
                  note="traditional Chinese login wall")


def second_confirms(emit: Callable[..., None]) -> None:
    body_fr = ("Nous respectons votre vie privée. Veuillez lire notre politique de confidentialité et nos conditions d'utilisation. Nous collectons des "
               "données sur l'appareil pour fournir le service. Appuyez sur Accepter pour continuer.")
    emit("b5_second_fr_reuses_privacy_layout", _privacy_layout("com.demo.b5.velo", "Politique de confidentialité", body_fr,
                                                              ["Conditions d'utilisation"], ["Refuser", "Accepter"]),
         "com.demo.b5.velo", (W, H), kind="second_confirm", decline="Refuser", lang="fr", after="decline", note="fr privacy dialog shown again after a decline")
    body_ko = "서비스 이용을 위해 이용약관 및 개인정보 처리방침에 동의가 필요합니다. 내용을 확인하신 후 동의해 주세요."
    emit("b5_second_ko_reuses_privacy_layout", _privacy_layout("com.demo.b5.bus.kr", "개인정보 처리방침", body_ko, ["이용약관"], ["동의 안 함", "동의함"]),
         "com.demo.b5.bus.kr", (W, H), kind="second_confirm", decline="동의 안 함", lang="ko", after="decline", note="ko privacy dialog again after a decline")
    for name, pkg, lang, title, body, buttons, decline, amb in [
        ("b5_second_es_cancel_salir", "com.demo.b5.radio.es", "es", "¿Seguro que quieres salir?",
         "Para usar la app necesitas aceptar la política de privacidad.", ["Cancelar", "Salir"], "Salir", False),
        ("b5_second_it_agree_all_ok", "com.demo.b5.meteo.it", "it", "", "Per continuare devi accettare tutte le condizioni.", ["OK"], "-", True),
        ("b5_second_de_accept_all_terms_ok", "com.demo.b5.bank.de", "de", "", "Bitte akzeptiere alle Bedingungen, um fortzufahren.", ["OK"], "-", True),
        ("b5_second_ja_agree_all_ok", "com.demo.b5.pay.jp", "ja", "", "すべての規約に同意してください。", ["OK"], "-", True),
        ("b5_second_ko_exit_agree", "com.demo.b5.food.kr", "ko", "알림", "동의하지 않으시면 서비스를 이용하실 수 없습니다.", ["종료", "동의하기"], "종료", False),
        ("b5_second_ru_exit_back", "com.demo.b5.taxi.ru", "ru", "Внимание", "Без принятия условий использование приложения невозможно.", ["Закрыть приложение", "Вернуться"],
         "Закрыть приложение", False),
    ]:
        emit(name, _small_prompt(pkg, title, body, buttons), pkg, (W, H), kind="second_confirm", decline=decline, amb=amb, lang=lang, after="decline",
             note="second confirm after a decline")


def cmps(emit: Callable[..., None]) -> None:
    dd = "io.didomi.sdk:id/"
    _cmp_native(emit, "b5_cmp_didomi_de_weiter_ohne", pkg="com.demo.b5.wetter", prefix=dd, lang="de", title="Wir schätzen Ihre Privatsphäre",
                body="Wir und unsere 300 Partner speichern und/oder greifen auf Informationen auf Ihrem Gerät zu, z. B. Cookies, und verarbeiten personenbezogene Daten für personalisierte Anzeigen.",
                buttons=[("button_agree", "Akzeptieren & Schließen"), ("button_disagree", "Weiter ohne Einwilligung"), ("button_learn_more", "Mehr erfahren")],
                decline="io.didomi.sdk:id/button_disagree", note="Didomi in German: refusal as 'continue without consent'")
    _cmp_native(emit, "b5_cmp_fr_continuer_sans_accepter", pkg="com.demo.b5.journal", prefix="", lang="fr", title="Vos choix en matière de cookies",
                body="Avec votre accord, nos partenaires et nous utilisons des cookies pour stocker et accéder à des informations sur votre appareil et afficher des publicités personnalisées.",
                buttons=[("", "Accepter et fermer"), ("", "Continuer sans accepter"), ("", "En savoir plus")], decline="Continuer sans accepter",
                note="French CMP with 'continue without accepting'")
    _cmp_web(emit, "b5_cmp_ump_es_no_consentir", pkg="com.demo.b5.crucigrama", lang="es",
             texts=["Crucigramas solicita tu consentimiento para usar tus datos personales para:",
                    "Publicidad y contenido personalizados, medición de publicidad y del contenido, investigación de audiencia y desarrollo de servicios",
                    "Almacenar o acceder a información en un dispositivo"],
             buttons=["Consentir", "No consentir", "Gestionar opciones"], decline="No consentir", note="UMP form in Spanish")
    _cmp_native(emit, "b5_cmp_it_purposes_off_conferma", pkg="com.demo.b5.notizie", prefix="", lang="it", title="Gestisci le tue preferenze",
                body="Scegli per quali finalità possiamo trattare i tuoi dati insieme ai nostri partner.",
                toggles=[("Pubblicità personalizzata", False, True), ("Misurazione", False, True), ("Contenuti personalizzati", False, True)],
                buttons=[("", "Conferma scelte"), ("", "Accetta tutto")], decline="Conferma scelte", top=True, note="Italian settings layer, all off")
    _cmp_native(emit, "b5_cmp_ru_cookies", pkg="com.demo.b5.novosti", prefix="", lang="ru", title="Мы используем файлы cookie",
                body="Мы и наши партнеры используем файлы cookie для персонализации рекламы и анализа трафика.",
                buttons=[("", "Принять"), ("", "Отклонить"), ("", "Настройки")], decline="Отклонить", note="Russian cookie banner")
    _cmp_native(emit, "b5_cmp_pt_br_recusar_cookies", pkg="com.demo.b5.loja.br", prefix="com.onetrust.otpublishers.headless:id/", lang="pt",
                title="Sua privacidade", body="Usamos cookies e tecnologias semelhantes com nossos parceiros para anúncios personalizados e análise.",
                buttons=[("btn_accept_cookies", "Aceitar cookies"), ("btn_reject_cookies", "Recusar cookies"), ("cookie_settings_link", "Configurações de cookies")],
                decline="com.onetrust.otpublishers.headless:id/btn_reject_cookies", dialect="appium", note="OneTrust in Brazilian Portuguese")


def notices_and_blocks(emit: Callable[..., None]) -> None:
    emit("b5_notice_it_location_off", _small_prompt("com.demo.b5.bici", "Posizione disattivata", "Puoi comunque cercare le stazioni per nome.", ["Ho capito"]),
         "com.demo.b5.bici", (W, H), kind="other", lang="it", note="ack-only notice after a refusal")
    emit("b5_notice_ko_camera_denied", _small_prompt("com.demo.b5.scan.kr", "안내", "카메라 권한이 없어도 번호를 직접 입력할 수 있습니다.", ["확인"]),
         "com.demo.b5.scan.kr", (W, H), kind="other", lang="ko", note="ack-only notice after a refusal")
    emit("b5_block_fr_quit_settings", _small_prompt("com.demo.b5.trottinette", "Autorisation requise",
                                                    "Cette fonction nécessite l'accès à l'appareil photo. Activez-le dans les paramètres.", ["Quitter", "Paramètres"]),
         "com.demo.b5.trottinette", (W, H), kind="permission_rationale", decline="Quitter", group="CAMERA", lang="fr", note="block: settings or quit")
    emit("b5_block_ru_open_settings", _small_prompt("com.demo.b5.samokat", "Нужен доступ к геопозиции",
                                                    "Разрешите доступ к местоположению в настройках, чтобы продолжить.", ["Открыть настройки"]),
         "com.demo.b5.samokat", (W, H), kind="permission_rationale", decline="-", group="LOCATION", lang="ru", note="block: settings only")
    pkg = "com.demo.b5.anime"
    r = f"{pkg}:id/"
    page = box((0, 0, W, H), tv("マイページ", (40, 110, 400, 190), r + "title"),
               box((0, 240, W, 460), tv("ログインするとお気に入りを保存できます", (40, 260, 1000, 330), r + "hint"), btn("ログイン", (40, 350, 500, 440), r + "btn_login")),
               box((0, 480, W, 620), tv("設定", (40, 520, 900, 580)), click=True, rid=r + "row_settings"),
               box((0, 640, W, 780), tv("ヘルプ", (40, 680, 900, 740)), click=True, rid=r + "row_help"), rid=r + "root", cls="LinearLayout")
    emit("b5_neg_ja_profile_optional_login", [_root(page)], pkg, (W, H), kind="other", lang="ja", note="negative: optional login on a profile page")
    pkg = "com.demo.b5.reservas"
    r = f"{pkg}:id/"
    s = Stack(60, 260, 1020, gap=30)
    page = box((0, 0, W, H), tv("Reservar mesa", s.take(90), r + "title"), edit("", s.take(120), r + "et_name", hint="Nombre"),
               edit("", s.take(120), r + "et_phone", hint="Teléfono"), edit("", s.take(120), r + "et_people", hint="Personas"),
               btn("Confirmar reserva", s.take(130), r + "btn_book"), rid=r + "root", cls="LinearLayout")
    emit("b5_neg_es_booking_form", [_root(page)], pkg, (W, H), kind="other", lang="es", note="negative: a booking form with a phone field")


def batch5_screens(emit: Callable[..., Any]) -> None:
    """Write batch 5 through ``emit`` (make_corpus.emit)."""
    login_walls(emit)
    second_confirms(emit)
    cmps(emit)
    notices_and_blocks(emit)



