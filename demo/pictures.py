"""Pictures drawn with Pillow for the demo and the screenshots: pleasant, and nobody's real
family (nothing is downloaded). Each function returns a new RGB image, 1600×1200 by default."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter


def gradient(size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        k = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * k) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def sunset(size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    w, h = size
    image = gradient(size, (255, 170, 90), (120, 60, 130))
    draw = ImageDraw.Draw(image)
    draw.ellipse((w * 0.38, h * 0.34, w * 0.62, h * 0.66), fill=(255, 214, 120))
    sea = gradient((w, h // 2), (40, 70, 140), (20, 30, 70))
    image.paste(sea, (0, h // 2))
    for i in range(12):  # the sun's path on the water
        y = h // 2 + 20 + i * 40
        half = w * (0.12 - i * 0.008)
        draw.line([(w / 2 - half, y), (w / 2 + half, y)], fill=(255, 200, 120), width=6)
    return image


def garden(size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    w, h = size
    image = gradient(size, (150, 200, 250), (225, 240, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, h * 0.62, w, h), fill=(90, 160, 80))
    colours = [(230, 70, 90), (250, 200, 60), (240, 130, 200), (255, 255, 255), (250, 120, 50)]
    for i in range(40):
        x = (i * 397) % w
        y = h * 0.66 + (i * 151) % int(h * 0.3)
        r = 26 + (i * 7) % 20
        draw.line([(x, y), (x, y + 80)], fill=(50, 110, 50), width=6)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colours[i % len(colours)])
        draw.ellipse((x - r / 3, y - r / 3, x + r / 3, y + r / 3), fill=(250, 220, 80))
    draw.ellipse((w * 0.78, h * 0.08, w * 0.9, h * 0.24), fill=(255, 235, 130))
    return image


def mountains(size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    w, h = size
    image = gradient(size, (110, 160, 220), (230, 220, 200))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, h * 0.7), (w * 0.3, h * 0.25), (w * 0.6, h * 0.7)], fill=(90, 100, 120))
    draw.polygon(
        [(w * 0.3, h * 0.25), (w * 0.38, h * 0.36), (w * 0.22, h * 0.36)], fill=(250, 250, 250)
    )
    draw.polygon([(w * 0.35, h * 0.7), (w * 0.7, h * 0.18), (w, h * 0.7)], fill=(70, 80, 100))
    draw.polygon(
        [(w * 0.7, h * 0.18), (w * 0.79, h * 0.31), (w * 0.61, h * 0.31)], fill=(250, 250, 250)
    )
    lake = gradient((w, int(h * 0.3) + 1), (80, 130, 190), (40, 80, 120))
    image.paste(lake, (0, int(h * 0.7)))
    return image.filter(ImageFilter.SMOOTH)


def cake(size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    w, h = size
    image = gradient(size, (255, 236, 210), (250, 200, 170))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((w * 0.25, h * 0.45, w * 0.75, h * 0.8), 30, fill=(190, 110, 70))
    draw.rounded_rectangle((w * 0.25, h * 0.45, w * 0.75, h * 0.55), 30, fill=(255, 250, 245))
    for i in range(5):
        x = w * (0.33 + i * 0.085)
        draw.rectangle((x - 10, h * 0.3, x + 10, h * 0.45), fill=(120, 170, 230))
        draw.ellipse((x - 16, h * 0.24, x + 16, h * 0.31), fill=(255, 190, 60))
    return image


def lavender(size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    w, h = size
    image = gradient(size, (250, 200, 150), (250, 235, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, h * 0.5, w, h), fill=(120, 150, 80))
    for row in range(9):  # rows of lavender running to the horizon
        y = h * 0.52 + row * row * 7 + row * 12
        draw.line([(0, y), (w, y)], fill=(140, 100, 190), width=8 + row * 5)
    draw.rectangle((w * 0.7, h * 0.36, w * 0.82, h * 0.5), fill=(235, 215, 180))
    draw.polygon(
        [(w * 0.68, h * 0.37), (w * 0.76, h * 0.29), (w * 0.84, h * 0.37)], fill=(190, 90, 60)
    )
    return image


def boat(size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    w, h = size
    image = gradient(size, (170, 215, 245), (235, 245, 250))
    draw = ImageDraw.Draw(image)
    sea = gradient((w, int(h * 0.4)), (40, 130, 170), (20, 80, 120))
    image.paste(sea, (0, int(h * 0.6)))
    draw.polygon(
        [(w * 0.3, h * 0.66), (w * 0.7, h * 0.66), (w * 0.62, h * 0.76), (w * 0.38, h * 0.76)],
        fill=(200, 60, 50),
    )
    draw.line([(w * 0.5, h * 0.2), (w * 0.5, h * 0.66)], fill=(80, 60, 40), width=10)
    draw.polygon(
        [(w * 0.51, h * 0.22), (w * 0.51, h * 0.62), (w * 0.68, h * 0.62)], fill=(255, 255, 255)
    )
    draw.polygon(
        [(w * 0.49, h * 0.3), (w * 0.49, h * 0.62), (w * 0.36, h * 0.62)], fill=(250, 240, 220)
    )
    return image
