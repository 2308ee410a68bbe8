use super::*;

fn addr() -> SocketAddr {
    "127.0.0.1:8787".parse().unwrap()
}

#[test]
fn the_code_is_read_from_a_created_answer() {
    let answer = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
                  content-length: 80\r\n\r\n\
                  {\"code\":\"ab12\",\"path\":\"/session?code=ab12\",\"expires_in_seconds\":60}";
    let code = parse_answer(addr(), answer).unwrap();
    assert_eq!(code.code, "ab12");
    assert_eq!(code.path, "/session?code=ab12");
    assert_eq!(code.expires_in_seconds, 60);
}

#[test]
fn refusals_and_garbage_are_explained() {
    let refused = parse_answer(addr(), "HTTP/1.1 401 Unauthorized\r\n\r\n{}").unwrap_err();
    assert!(refused.contains("refuse le jeton"), "{refused}");
    let forbidden =
        parse_answer(addr(), "HTTP/1.1 403 Forbidden\r\n\r\n{\"error\":\"x\"}").unwrap_err();
    assert!(forbidden.contains("HTTP 403"), "{forbidden}");
    for garbage in [
        "",
        "HTTP/1.1",
        "nonsense\r\n\r\n",
        "HTTP/1.1 201 Created\r\n\r\nnot json",
    ] {
        assert!(parse_answer(addr(), garbage).is_err(), "{garbage:?}");
    }
}

#[test]
fn an_agent_that_is_not_there_is_named() {
    // A port nobody listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let error = request_code(port, &Token::from_secret("00")).unwrap_err();
    assert!(error.contains("ne répond pas"), "{error}");
    assert!(error.contains(&port.to_string()), "{error}");
}
