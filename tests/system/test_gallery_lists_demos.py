"""The README's demo table and gallery list every demo, each with its picture."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_in_the_readme_and_the_gallery():
    readme = (ROOT / "README.md").read_text()
    gallery = readme.split("## Demo gallery", 1)[1].split("\n## ", 1)[0]
    for demo in sorted((ROOT / "demos").glob("demo_*.py")):
        name = demo.stem.removeprefix("demo_")
        assert f"`demos/{demo.name}`" in readme, name
        assert f"**{name}**" in gallery, name
        png = ROOT / "docs" / "gallery" / f"{name}.png"
        assert png.is_file() and png.stat().st_size < 200_000, png
        assert f"docs/gallery/{name}.png" in gallery, name
