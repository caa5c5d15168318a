/// The sign-in form: the app's secret key, and why the last attempt failed.
struct SignInPage {
    var message: String?

    var html: String {
        var body = "<div class=\"signin\"><h2>Sign in</h2><p class=\"muted\">Sign in with your app's <strong>secret key</strong> "
            + "(<code>sk_…</code>). The dashboard shows that app only. Publishable keys (<code>pk_…</code>) cannot sign in.</p>"
        if let message { body += "<p class=\"error\" role=\"alert\" data-signin-error>\(HTML.escape(message))</p>" }
        body += "<form method=\"post\" action=\"/signin\"><label for=\"key\">Secret key<input id=\"key\" name=\"key\" type=\"password\" "
            + "autocomplete=\"current-password\" required placeholder=\"sk_…\" spellcheck=\"false\"></label>"
            + "<button type=\"submit\" class=\"primary\">Sign in</button></form></div>"
        return DashboardLayout.page(title: "Perch dashboard", appName: nil, section: nil, body: body)
    }
}
