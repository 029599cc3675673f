//! Browser tests in headless Chromium through chromedriver: log in, the overview with its charts,
//! the ledger with filters (the small script submits on change) and its chart; screenshots in
//! target/screenshots/.

mod common;

use std::time::Duration;

use common::browser::{browser, chromedriver, log_in, screenshot, start_driver, start_server};
use common::{sqlite, TestApp};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_overview_and_ledger_in_chromium() {
    let Some(program) = chromedriver() else {
        return;
    };
    let app = TestApp::demo(sqlite("browser").await).await;
    let address = start_server(app.state.store.clone()).await;
    let driver = start_driver(&program).await;
    let client = browser(&driver).await;
    let base = format!("http://{address}");

    // Any page sends a stranger to the login form.
    client.goto(&format!("{base}/ledger")).await.unwrap();
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/login"));
    screenshot(&client, "login").await;
    log_in(&client, "operator", "danjiang-operator").await;
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("form.filters"))
        .await
        .unwrap();
    assert_eq!(client.current_url().await.unwrap().path(), "/ledger");

    // The overview: three figures against plan, bars with data, the split by use.
    client.goto(&format!("{base}/")).await.unwrap();
    let heading = client
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Overview");
    let cards = client
        .find_all(Locator::Css(".card .figure .value"))
        .await
        .unwrap();
    assert_eq!(cards.len(), 3);
    for card in &cards {
        let text = card.text().await.unwrap();
        let value: f64 = text
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("a number: {text}"));
        assert!(value > 0.0, "delivered volume {text}");
    }
    let bars = client
        .find_all(Locator::Css("svg#overview-monthly rect.dj-bar"))
        .await
        .unwrap();
    assert!(!bars.is_empty(), "monthly bars");
    let mut tallest = 0.0f64;
    for bar in &bars {
        let height: f64 = bar
            .attr("height")
            .await
            .unwrap()
            .unwrap_or_default()
            .parse()
            .unwrap_or(0.0);
        tallest = tallest.max(height);
    }
    assert!(tallest > 10.0, "bars have height");
    let split = client
        .find_all(Locator::Css("svg#overview-split .dj-slice"))
        .await
        .unwrap();
    assert!(split.len() >= 2, "domestic and ecological shares");
    screenshot(&client, "overview").await;

    // The ledger: choose grouping by use over everything; the script submits on change.
    client.goto(&format!("{base}/ledger")).await.unwrap();
    client
        .find(Locator::Css("select[name=by] option[value=use]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_query(&client, "by=use").await;
    client
        .find(Locator::Css("select[name=period] option[value=all]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_query(&client, "period=all").await;
    let rows = client
        .find_all(Locator::Css("table.ledger tbody tr"))
        .await
        .unwrap();
    assert!(rows.len() >= 2, "use rows");
    let table = client
        .find(Locator::Css("table.ledger"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("domestic") && table.contains("ecological"),
        "{table}"
    );
    let marks = client
        .find_all(Locator::Css("svg#ledger-chart rect.dj-bar"))
        .await
        .unwrap();
    assert_eq!(marks.len(), rows.len(), "one bar per use");
    let csv = client
        .find(Locator::Css("a.csv"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        csv.starts_with("/ledger.csv?") && csv.contains("by=use"),
        "{csv}"
    );
    screenshot(&client, "ledger").await;

    // Chinese through the switch.
    client
        .find(Locator::Css(".languages a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("html[lang=zh]"))
        .await
        .unwrap();
    let heading = client
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "供水台账");
    screenshot(&client, "ledger-zh").await;

    client.close().await.unwrap();
    drop(driver);
}

/// Waits until the page's address contains `part` (the script submitted the form).
async fn wait_for_query(client: &fantoccini::Client, part: &str) {
    let started = std::time::Instant::now();
    loop {
        let url = client.current_url().await.unwrap();
        if url.query().unwrap_or_default().contains(part) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never reached ?{part}: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
